from django.urls import reverse

from .navigation import NAV_ITEMS, TOPBAR_ITEMS
from . import badges


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for item in NAV_ITEMS:
        if not item.shown_to(user):
            continue
        items.append({"key": item.key, "label": item.label, "icon": item.icon, "url": reverse(item.url_name, args=item.url_args)})
    topbar = [{"key": i.key, "label": i.label, "icon": i.icon, "url": reverse(i.url_name)} for i in TOPBAR_ITEMS]
    return {"nav_items": items, "topbar_items": topbar, "nav_badges": badges.LazyBadges(user)}
