pytest_plugins = ["ruralhub.core.testing"]
