"""Procurement methods and the rule that picks the minimum method for an amount.

Pure functions: the thresholds in force are passed in (``selectors.thresholds_on`` reads
them from the configurable table), so the rule is tested without a database.

Tiers, from the least to the most competitive:

0. 简单比价 — below the office's own small-purchase limit;
1. internal competitive methods (内部询价比选, 内部竞争性比选) — up to the decentralised
   procurement limit (分散采购限额);
2. government procurement through the platform (询价, 竞争性谈判, 竞争性磋商, 单一来源,
   框架协议) — at and above the decentralised limit;
3. 邀请招标 — works at and above the statutory tender threshold must be tendered (open or invited);
4. 公开招标 — goods and services at and above the open-tender threshold (another method
   only with the finance department's recorded approval, 政府采购法第二十七条).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Method(models.TextChoices):
    COMPARISON = "comparison", gettext_lazy("Simple price comparison")
    INTERNAL_INQUIRY = "internal_inquiry", gettext_lazy("Internal inquiry")
    INTERNAL_COMPETITIVE = "internal_competitive", gettext_lazy("Internal competitive selection")
    INQUIRY = "inquiry", gettext_lazy("Request for quotations")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", gettext_lazy("Competitive negotiation")
    COMPETITIVE_CONSULTATION = "competitive_consultation", gettext_lazy("Competitive consultation")
    SINGLE_SOURCE = "single_source", gettext_lazy("Single source")
    FRAMEWORK = "framework", gettext_lazy("Framework agreement")
    INVITED_TENDER = "invited_tender", gettext_lazy("Invited tender")
    OPEN_TENDER = "open_tender", gettext_lazy("Open tender")


TIER = {
    Method.COMPARISON: 0,
    Method.INTERNAL_INQUIRY: 1,
    Method.INTERNAL_COMPETITIVE: 1,
    Method.INQUIRY: 2,
    Method.COMPETITIVE_NEGOTIATION: 2,
    Method.COMPETITIVE_CONSULTATION: 2,
    Method.SINGLE_SOURCE: 2,
    Method.FRAMEWORK: 2,
    Method.INVITED_TENDER: 3,
    Method.OPEN_TENDER: 4,
}

# Quotes (or bids) a method needs before an award, and the rule that says so.
MIN_QUOTES = {
    Method.COMPARISON: 2,
    Method.INTERNAL_INQUIRY: 3,
    Method.INTERNAL_COMPETITIVE: 3,
    Method.INQUIRY: 3,
    Method.COMPETITIVE_NEGOTIATION: 3,
    Method.COMPETITIVE_CONSULTATION: 3,
    Method.SINGLE_SOURCE: 1,
    Method.FRAMEWORK: 1,
    Method.INVITED_TENDER: 3,
    Method.OPEN_TENDER: 3,
}


def quotes_rule(method: str) -> str:
    if TIER[Method(method)] >= 3:
        return _("《招标投标法》第二十八条: fewer than three bidders means the tender must be repeated")
    if TIER[Method(method)] == 2:
        return _("《政府采购非招标采购方式管理办法》（财政部令第74号）第十二条")
    return _("the office's procurement rules (街道内部采购管理办法)")


@dataclass(frozen=True)
class ThresholdValue:
    amount: Decimal
    regulation: str
    label: str


@dataclass(frozen=True)
class Requirement:
    """What an amount of a category requires."""

    tier: int
    proposed: Method
    rule: str  # the rule's name and source, shown with a refusal
    deviation_allowed: bool = False  # open tender: another method with a recorded approval

    @property
    def proposed_label(self) -> str:
        return str(self.proposed.label)


def _yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def requirement(*, amount: Decimal, category: str, thresholds: dict[str, ThresholdValue]) -> Requirement:
    """The minimum method for ``amount`` of ``category`` under ``thresholds`` (kind → value
    in force for the category)."""
    works = category == "works"

    def rule(kind: str) -> str:
        t = thresholds[kind]
        return _("%(label)s %(amount)s (%(regulation)s)") % {"label": t.label, "amount": _yuan(t.amount), "regulation": t.regulation}

    if works and "works_tender" in thresholds and amount >= thresholds["works_tender"].amount:
        return Requirement(tier=3, proposed=Method.OPEN_TENDER, rule=rule("works_tender"))
    if not works and "open_tender" in thresholds and amount >= thresholds["open_tender"].amount:
        return Requirement(tier=4, proposed=Method.OPEN_TENDER, rule=rule("open_tender"), deviation_allowed=True)
    if "decentralised" in thresholds and amount >= thresholds["decentralised"].amount:
        proposed = Method.INQUIRY if category == "goods" else Method.COMPETITIVE_CONSULTATION
        return Requirement(tier=2, proposed=proposed, rule=rule("decentralised"))
    if "small_purchase" in thresholds and amount >= thresholds["small_purchase"].amount:
        return Requirement(tier=1, proposed=Method.INTERNAL_INQUIRY, rule=rule("small_purchase"))
    if "small_purchase" in thresholds:
        return Requirement(tier=0, proposed=Method.COMPARISON,
                           rule=_("below %(rule)s") % {"rule": rule("small_purchase")})
    return Requirement(tier=0, proposed=Method.COMPARISON, rule=_("no threshold configured"))


def methods_allowed(req: Requirement) -> list[Method]:
    """Methods that satisfy ``req`` without a special approval."""
    return [m for m in Method if TIER[m] >= req.tier]
