"""How a holder of a step reads when someone stands in for them: "黄丽华（郑晓梅代）"."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def holder_name(user, standins):
    """{{ user|holder_name:standins }} with ``standins`` from permissions.standins_for."""
    name = user.get_full_name() if hasattr(user, "get_full_name") else str(user)
    deputy = (standins or {}).get(getattr(user, "pk", None))
    if deputy:
        return _("%(name)s (%(deputy)s standing in)") % {"name": name, "deputy": deputy}
    return name
