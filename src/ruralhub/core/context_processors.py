from django.apps import apps
from django.urls import reverse


def navigation(request):
    """The menu: each app lists its pages in its AppConfig as ``navigation = [(label, url_name[, perm]), …]``.

    An entry with a permission ("network.add_servicerecord") shows only to users whose role has it.
    """
    if not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    for config in apps.get_app_configs():
        for label, url_name, *perm in getattr(config, "navigation", []):
            if perm and not request.user.has_perm(perm[0]):
                continue
            url = reverse(url_name)
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
