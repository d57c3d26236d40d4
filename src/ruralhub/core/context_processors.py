from django.apps import apps
from django.urls import reverse


def navigation(request):
    """The menu: each app lists its pages in its AppConfig as ``navigation = [(label, url_name), …]``."""
    if not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for label, url_name in getattr(config, "navigation", []):
            url = reverse(url_name)
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
