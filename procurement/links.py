"""The procurement kind of the chain view (``core.chain``): a purchase (采购) with its need, the
quotes of the market survey and the award, linked to the case that carries it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from core.chain import FIG_AWARDED, ORDER_PURCHASE, Detail, Kind, Node, register_kind, register_links

from .models import Award, Purchase, Quote
from .selectors import may_read_record, readable_records


def _fetch(ids):
    return (
        Purchase.objects.filter(pk__in=ids).select_related("case", "unit", "award__supplier")
        .prefetch_related(Prefetch("quotes", queryset=Quote.objects.select_related("supplier").order_by("amount", "id")))
    )


def _award(purchase: Purchase) -> Award | None:
    try:
        return purchase.award
    except Award.DoesNotExist:
        return None


def _describe(p: Purchase) -> Node:
    award = _award(p)
    quotes = list(p.quotes.all())
    details = [Detail(_("Need"), f"{p.get_category_display()} · {p.item_class}"),
               Detail(_("Procurement method"), p.get_method_display())]
    for q in quotes:
        won = award is not None and award.supplier_id == q.supplier_id
        details.append(Detail(_("Quote (winner)") if won else _("Quote"), f"{q.supplier.name} {format_yuan(q.amount)}",
                              reverse("procurement:supplier_detail", args=[q.supplier_id])))
    figures = {}
    if award is not None:
        details.append(Detail(_("Award"), f"{award.supplier.name} {format_yuan(award.amount)} · {award.get_status_display()}",
                              reverse("procurement:supplier_detail", args=[award.supplier_id])))
        if award.status == Award.Status.AWARDED:
            figures[FIG_AWARDED] = award.amount
    return Node(
        number=p.case.number, title=p.case.title, url=reverse("procurement:purchase_detail", args=[p.pk]),
        state=p.get_status_display(), amount=award.amount if award is not None else p.case.amount,
        date=timezone.localdate(p.created_at), details=tuple(details), file_owners=(p, *quotes), figures=figures,
    )


def can_view(user, purchase: Purchase) -> bool:
    """As ``selectors.purchase_for_user``."""
    try:
        return may_read_record(user, unit_id=purchase.unit_id, case_id=purchase.case_id)
    except PermissionDenied:
        return False


def _visible(user, purchases) -> set[int]:
    return readable_records(user, [(p.pk, p.unit_id, p.case_id) for p in purchases])


def _up(purchases):
    return ((p.pk, "case", p.case_id) for p in purchases)


def _case_down(cases):
    return ((case_id, "purchase", pk) for pk, case_id in
            Purchase.objects.filter(case_id__in=[c.pk for c in cases]).values_list("pk", "case_id"))


KIND = Kind(key="purchase", label=gettext_lazy("Purchase"), order=ORDER_PURCHASE, fetch=_fetch, describe=_describe,
            can_view=can_view, visible=_visible)


def register() -> None:
    register_kind(KIND)
    register_links("purchase", up=_up)
    register_links("case", down=_case_down)

