"""The left navigation of the shell. Apps add their entries here as they land, so the
shell knows nothing of their internals beyond a URL name."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str
    admin_only: bool = False
    url_args: tuple = ()
    # shown only to people with one of these roles (empty: everyone); the page itself decides access
    roles: frozenset = frozenset()

    def shown_to(self, user) -> bool:
        if self.admin_only and not (user.is_staff or user.is_superuser):
            return False
        return not self.roles or user.is_superuser or user.has_role(*self.roles)


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("Home"), "home", "bi-house"),
    NavItem("inbox", _("Inbox"), "module", "bi-inbox", url_args=("inbox",)),
    NavItem("mine", _("My applications"), "module", "bi-file-earmark-text", url_args=("mine",)),
    NavItem("budget", _("Budget"), "module", "bi-piggy-bank", url_args=("budget",)),
    NavItem("procurement", _("Procurement"), "module", "bi-cart", url_args=("procurement",)),
    NavItem("contracts", _("Contracts"), "module", "bi-file-earmark-ruled", url_args=("contracts",)),
    NavItem("construction", _("Construction"), "module", "bi-building", url_args=("construction",)),
    NavItem("assets", _("Assets"), "module", "bi-box-seam", url_args=("assets",)),
    NavItem("accounting", _("Finance"), "module", "bi-calculator", url_args=("accounting",)),
    NavItem("risk", _("Risk warnings"), "module", "bi-exclamation-triangle", url_args=("risk",)),
    NavItem("reports", _("Reports"), "module", "bi-bar-chart", url_args=("reports",)),
    NavItem("admin", _("Administration"), "admin:index", "bi-gear", admin_only=True),
]


def replace(key: str, url_name: str, url_args: tuple = (), *, roles=None) -> None:
    """Point a navigation entry at the app that now implements it (``roles``: shown only to them)."""
    for i, item in enumerate(NAV_ITEMS):
        if item.key == key:
            NAV_ITEMS[i] = NavItem(item.key, item.label, url_name, item.icon, item.admin_only, url_args,
                                   item.roles if roles is None else frozenset(roles))
            return
    raise KeyError(key)


# Landing text for modules whose app has not landed yet (shown honestly as not yet enabled).
PENDING_MODULES = {
    "inbox": (_("Inbox"), _("Forms waiting for your decision will be listed here.")),
    "mine": (_("My applications"), _("The forms you filed and where each one is.")),
    "budget": (_("Budget"), _("Budget lines, budget control and the real-time budget execution table.")),
    "procurement": (_("Procurement"), _("Purchase requests, quotes, awards and suppliers.")),
    "contracts": (_("Contracts"), _("Contracts, payment terms, acceptance and payments.")),
    "construction": (_("Construction"), _("Works projects, change orders and completion.")),
    "assets": (_("Assets"), _("Asset cards, use, stocktakes and disposal.")),
    "accounting": (_("Finance"), _("Vouchers and final accounts.")),
    "risk": (_("Risk warnings"), _("Warnings raised by the risk rules, with owners and status.")),
    "reports": (_("Reports"), _("Budget execution, contract execution and supplier tables, and leaders' charts.")),
}


# Icons in the top bar next to the inbox (e.g. notices), registered by apps:
# (key, label, url_name, icon); their counts come from core.badges under the same key.
TOPBAR_ITEMS: list[NavItem] = []


def add_topbar(key: str, label, url_name: str, icon: str) -> None:
    TOPBAR_ITEMS[:] = [i for i in TOPBAR_ITEMS if i.key != key]
    TOPBAR_ITEMS.append(NavItem(key, label, url_name, icon))


def add_after(after: str, key: str, label, url_name: str, icon: str, *, url_args: tuple = (),
              roles=frozenset()) -> None:
    """Add an app's own entry after ``after`` (once: a second call replaces it)."""
    new = NavItem(key, label, url_name, icon, False, url_args, frozenset(roles))
    for i, item in enumerate(NAV_ITEMS):
        if item.key == key:
            NAV_ITEMS[i] = new
            return
    index = next((i for i, item in enumerate(NAV_ITEMS) if item.key == after), len(NAV_ITEMS) - 1)
    NAV_ITEMS.insert(index + 1, new)
