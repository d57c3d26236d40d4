"""The service network's pages, one module per concern (urls.py names each view by its module)."""
