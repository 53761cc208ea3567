from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainConfig(AppConfig):
    """The chain view (全链条关联查询): a read-side app in the top layer. It walks the link
    registry (``core.chain``) that the business apps fill; none of them imports it."""

    name = "chain"
    verbose_name = _("Chain view")
