pytest_plugins = ["ruralhub.testing"]
