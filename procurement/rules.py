"""Procurement risk rules (RISK_RULES.md, 采购), run by the risk engine through approvals.rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.rules import Finding, Param, Rule, Severity, judged_on

from .methods import Method
from .models import Award, Purchase, PurchaseCategory, Quote, SupplierQualification

_CONTACTS = (("address", gettext_lazy("address")), ("phone", gettext_lazy("phone")),
             ("email", gettext_lazy("e-mail")), ("bank_account", gettext_lazy("bank account")))


def _normal(value: str) -> str:
    return "".join((value or "").split()).lower()


class SuspiciousQuotes(Rule):
    """PRO-06 报价雷同: two quotes of one purchase with the same amount, or from suppliers that
    share an address, phone, e-mail or bank account (OCP R028, R044)."""

    code = "PRO-06"
    title = gettext_lazy("Identical or suspicious quotes")
    severity = Severity.HIGH
    events = ("case.approved",)

    def scan(self, params, scope=None):
        quotes = (Quote.objects.exclude(purchase__status=Purchase.Status.CANCELLED)
                  .select_related("supplier", "purchase__case").order_by("purchase_id", "id"))
        if scope and scope.get("case_id"):
            quotes = quotes.filter(purchase__case_id=scope["case_id"])
        by_purchase = defaultdict(list)
        for q in quotes.iterator(chunk_size=2000):
            by_purchase[q.purchase_id].append(q)
        for purchase_id, rows in by_purchase.items():
            yield from self._judge(purchase_id, rows[0].purchase.case, rows)

    def check_draft(self, case, params):
        """The quotes of the award being submitted (the form's 报价雷同 warning)."""
        purchase = _purchase_of(case)
        if purchase is None:
            return []
        rows = list(Quote.objects.filter(purchase=purchase).select_related("supplier").order_by("id"))
        return list(self._judge(purchase.pk, case, rows))

    @staticmethod
    def _judge(purchase_id, case, rows):
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if a.supplier_id == b.supplier_id:
                    continue
                shared = [str(label) for field, label in _CONTACTS
                          if _normal(getattr(a.supplier, field)) and
                          _normal(getattr(a.supplier, field)) == _normal(getattr(b.supplier, field))]
                same_amount = a.amount == b.amount
                if not (shared or same_amount):
                    continue
                why = "、".join(([_("the same price")] if same_amount else []) + shared)
                yield Finding(
                    records=(("procurement.purchase", purchase_id), ("procurement.supplier", a.supplier_id),
                             ("procurement.supplier", b.supplier_id)),
                    message=_("%(number)s: quotes of %(a)s and %(b)s share %(why)s") % {
                        "number": case.number or _("this form"), "a": a.supplier.name, "b": b.supplier.name, "why": why},
                    figures={"amount_a": str(a.amount), "amount_b": str(b.amount), "shared": why},
                    unit_id=case.unit_id,
                )


class LapsedSupplier(Rule):
    """PRO-08 失信或资质过期: an award to a supplier that is blacklisted, or one of whose
    qualifications had expired on the award date."""

    code = "PRO-08"
    title = gettext_lazy("Blacklisted or lapsed supplier")
    severity = Severity.HIGH
    events = ("case.approved",)

    def scan(self, params, scope=None):
        awards = (Award.objects.filter(status=Award.Status.AWARDED).select_related("supplier", "purchase__case")
                  .filter(Q(supplier__blacklisted=True) | Q(supplier__qualifications__valid_until__lt=F("awarded_on")))
                  .distinct())
        awards = awards.prefetch_related(Prefetch("supplier__qualifications", to_attr="quals",
                                                  queryset=SupplierQualification.objects.exclude(valid_until=None)))
        for award in awards:
            s = award.supplier
            lapsed = [q.name for q in s.quals if award.awarded_on and q.valid_until < award.awarded_on]
            reasons = ([_("blacklisted")] if s.blacklisted else []) + [
                _("%(name)s expired") % {"name": n} for n in lapsed]
            if not reasons:
                continue
            yield Finding(
                records=(("procurement.award", award.pk), ("procurement.supplier", s.pk)),
                message=_("%(number)s was awarded to %(supplier)s: %(reasons)s") % {
                    "number": award.purchase.case.number, "supplier": s.name, "reasons": "、".join(reasons)},
                figures={"amount": str(award.amount), "awarded_on": award.awarded_on.isoformat() if award.awarded_on else ""},
                unit_id=award.purchase.case.unit_id,
            )


def award_shares(year: int) -> list[dict]:
    """Awarded amount per (category, supplier) in the year with the category's total: one
    grouped query and one for the (three) category totals — a correlated total per group
    rescanned every award for each of thousands of groups."""
    from django.db.models import Count, Sum

    base = Award.objects.filter(status=Award.Status.AWARDED, awarded_on__year=year)
    totals = dict(base.values("purchase__category").annotate(t=Sum("amount")).order_by()
                  .values_list("purchase__category", "t"))
    rows = (base.values("purchase__category", "supplier_id", "supplier__name")
            .annotate(amount=Sum("amount"), awards=Count("id")).order_by("purchase__category", "-amount"))
    return [{**r, "category_total": totals.get(r["purchase__category"])} for r in rows]


def captive_suppliers(year: int, more_than: int):
    """Suppliers with more than ``more_than`` awards in the year, all from one unit."""
    from django.db.models import Count, Sum

    return (Award.objects.filter(status=Award.Status.AWARDED, awarded_on__year=year)
            .values("supplier_id", "supplier__name")
            .annotate(awards=Count("id"), units=Count("purchase__unit", distinct=True), amount=Sum("amount"))
            .filter(units=1, awards__gt=more_than).order_by("-awards"))


class SupplierConcentration(Rule):
    """PRO-07 供应商集中: one supplier wins more than the share of the office's awarded amount
    in a category in a year, or more than N awards from one unit and none elsewhere
    (a "captive supplier", ProZorro's risk rules)."""

    code = "PRO-07"
    title = gettext_lazy("Supplier concentration")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("30"), gettext_lazy("share of a category's awarded amount in a year (%)")),
              "captive_awards": Param(3, gettext_lazy("awards from one unit only"))}

    def scan(self, params, scope=None):
        year = judged_on(scope).year
        share, labels = Decimal(params["share"]), dict(PurchaseCategory.choices)
        for r in award_shares(year):
            total = r["category_total"] or Decimal("0")
            if total <= 0 or r["amount"] * 100 <= share * total:
                continue
            got = (r["amount"] * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            yield Finding(
                records=(("procurement.supplier", r["supplier_id"]),),
                message=_("%(supplier)s won %(share)s%% of the %(category)s awarded in %(year)s") % {
                    "supplier": r["supplier__name"], "share": got, "category": labels.get(r["purchase__category"], ""),
                    "year": year},
                figures={"amount": str(r["amount"]), "category_total": str(total), "share": str(got),
                         "threshold": str(share)},
                part=f"{year}:{r['purchase__category']}",
            )
        for r in captive_suppliers(year, int(params["captive_awards"])):
            yield Finding(
                records=(("procurement.supplier", r["supplier_id"]),),
                message=_("%(supplier)s won %(n)s awards in %(year)s, all from one unit") % {
                    "supplier": r["supplier__name"], "n": r["awards"], "year": year},
                figures={"awards": r["awards"], "amount": str(r["amount"]), "threshold": int(params["captive_awards"])},
                part=f"{year}:captive",
            )


# --- method rules over the thresholds table (PRO-01..05, PRO-09) -------------------------------------------
NOT_TENDERED = (Method.OPEN_TENDER, Method.INVITED_TENDER)
_LIVE_PURCHASE = ~Q(status__in=(Purchase.Status.DRAFT, Purchase.Status.CANCELLED))


def _thresholds(on, category: str | None = None) -> dict[str, dict]:
    """category → {kind: ThresholdValue} in force on ``on`` (one query per category; a form's
    check asks only for its own)."""
    from .selectors import thresholds_on

    return {value: thresholds_on(category=value, on=on) for value, _label in PurchaseCategory.choices
            if category is None or value == category}


def _yuan(amount) -> str:
    return f"¥{Decimal(amount):,.2f}"


def _purchase_of(case):
    return Purchase.objects.filter(case=case).select_related("case").first()


class SplitPurchases(Rule):
    """PRO-01 化整为零: one unit's non-tendered purchases of one item class in one fiscal year,
    each below the decentralised limit (the open-tender threshold where no such limit is set),
    together reach the share of it (政府采购法实施条例 第二十八条; early warning at 90%)."""

    code = "PRO-01"
    title = gettext_lazy("Split purchases")
    severity = Severity.HIGH
    params = {"share": Param(Decimal("90"), gettext_lazy("together reach this share of the limit (%)"),
                             regulation="政府采购法实施条例 第二十八条")}
    events = ("case.approved",)

    @staticmethod
    def _limit(limits, category):
        t = limits.get(category, {})
        value = t.get("decentralised") or t.get("open_tender")
        return value.amount if value else None

    def scan(self, params, scope=None):
        from django.db.models import Count, Max, Sum

        on, share = judged_on(scope), Decimal(params["share"])
        limits = _thresholds(on)
        rows = (Purchase.objects.filter(_LIVE_PURCHASE, case__amount__isnull=False).exclude(method__in=NOT_TENDERED)
                .values("unit_id", "unit__name", "category", "item_class", "case__year")
                .annotate(n=Count("id"), total=Sum("case__amount"), largest=Max("case__amount")).filter(n__gte=2)
                .order_by("unit_id", "case__year", "category", "item_class"))
        if scope and scope.get("case_id"):  # after an event: the group of the case's purchase
            own = Purchase.objects.filter(case_id=scope["case_id"]).values("unit_id", "item_class", "category").first()
            rows = rows.filter(**own) if own else rows.none()
        for r in rows:
            limit = self._limit(limits, r["category"])
            if not limit or r["largest"] >= limit or r["total"] * 100 < share * limit:
                continue
            yield self._finding(r["unit_id"], r["unit__name"], r["item_class"], r["case__year"], r["category"],
                                r["n"], r["total"], limit, share)

    def _finding(self, unit_id, unit_name, item_class, year, category, n, total, limit, share):
        return Finding(
            records=(("org.unit", unit_id),), unit_id=unit_id, part=f"{year}:{category}:{item_class}",
            message=_("%(unit)s: %(n)s purchases of “%(item)s” in %(year)s reach %(total)s together, against the limit "
                      "%(limit)s") % {"unit": unit_name, "n": n, "item": item_class, "year": year,
                                      "total": _yuan(total), "limit": _yuan(limit)},
            figures={"purchases": n, "total": str(total), "limit": str(limit), "threshold": str(share)})

    def check_draft(self, case, params):
        from django.db.models import Count, Max, Sum

        purchase = _purchase_of(case)
        if purchase is None or purchase.method in NOT_TENDERED or case.amount is None:
            return []
        share = Decimal(params["share"])
        limit = self._limit(_thresholds(judged_on(None), purchase.category), purchase.category)
        others = (Purchase.objects.filter(_LIVE_PURCHASE, unit_id=purchase.unit_id, item_class=purchase.item_class,
                                          category=purchase.category, case__year=case.year, case__amount__isnull=False)
                  .exclude(pk=purchase.pk).exclude(method__in=NOT_TENDERED)
                  .aggregate(n=Count("id"), total=Sum("case__amount"), largest=Max("case__amount")))
        if not limit or not others["n"]:
            return []
        total, largest = others["total"] + case.amount, max(others["largest"], case.amount)
        if largest >= limit or total * 100 < share * limit:
            return []
        return [self._finding(purchase.unit_id, case.unit.name, purchase.item_class, case.year, purchase.category,
                              others["n"] + 1, total, limit, share)]


class NearThreshold(Rule):
    """PRO-02 临界金额: a purchase within the band below a configured threshold (5% for goods
    and services, 10% for works) — set, perhaps, to stay under it."""

    code = "PRO-02"
    title = gettext_lazy("Amount just below a threshold")
    severity = Severity.MEDIUM
    params = {"band": Param(Decimal("5"), gettext_lazy("band below a threshold, goods and services (%)")),
              "works_band": Param(Decimal("10"), gettext_lazy("band below a threshold, works (%)"))}
    events = ("case.approved",)
    KINDS = ("small_purchase", "decentralised", "open_tender", "works_tender")

    def _judge(self, purchase, amount, number, limits, params):
        band = Decimal(params["works_band"] if purchase.category == "works" else params["band"])
        for kind in self.KINDS:
            t = limits.get(purchase.category, {}).get(kind)
            if t is None or not (t.amount * (100 - band) <= amount * 100 and amount < t.amount):
                continue
            below = ((t.amount - amount) * 100 / t.amount).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            return Finding(
                records=(("procurement.purchase", purchase.pk),), unit_id=purchase.unit_id,
                message=_("%(number)s: the amount %(amount)s is %(below)s%% below the %(label)s %(limit)s") % {
                    "number": number, "amount": _yuan(amount), "below": below, "label": t.label,
                    "limit": _yuan(t.amount)},
                figures={"amount": str(amount), "limit": str(t.amount), "kind": kind, "below": str(below),
                         "band": str(band)})
        return None

    def scan(self, params, scope=None):
        limits = _thresholds(judged_on(scope))
        rows = Purchase.objects.filter(_LIVE_PURCHASE, case__amount__isnull=False).select_related("case")
        if scope and scope.get("case_id"):
            rows = rows.filter(case_id=scope["case_id"])
        for p in rows.iterator(chunk_size=2000):
            finding = self._judge(p, p.case.amount, p.case.number, limits, params)
            if finding:
                yield finding

    def check_draft(self, case, params):
        purchase = _purchase_of(case)
        if purchase is None or case.amount is None:
            return []
        finding = self._judge(purchase, case.amount, case.number, _thresholds(judged_on(None), purchase.category), params)
        return [finding] if finding else []


class MethodBelowRequirement(Rule):
    """PRO-03 方式不当: goods or services at or above the open-tender threshold bought by another
    method without the recorded approval (政府采购法 第二十七条, 实施条例 第二十三条). The purchase
    service refuses it; the scan reports what got past it (a threshold lowered since, data
    written around the service)."""

    code = "PRO-03"
    title = gettext_lazy("Method below what the amount requires")
    severity = Severity.HIGH
    params = {}
    events = ("case.approved",)

    def _judge(self, purchase, amount, number, limits):
        t = limits.get(purchase.category, {}).get("open_tender")
        if (purchase.category == "works" or t is None or amount < t.amount or purchase.method == Method.OPEN_TENDER
                or purchase.deviation_approval.strip()):
            return None
        return Finding(
            records=(("procurement.purchase", purchase.pk),), unit_id=purchase.unit_id,
            message=_("%(number)s: %(amount)s reaches the open-tender threshold %(limit)s but was bought by %(method)s "
                      "without a recorded approval") % {"number": number, "amount": _yuan(amount),
                                                          "limit": _yuan(t.amount), "method": purchase.get_method_display()},
            figures={"amount": str(amount), "limit": str(t.amount), "method": purchase.method})

    def scan(self, params, scope=None):
        limits = _thresholds(judged_on(scope))
        rows = (Purchase.objects.filter(_LIVE_PURCHASE, case__amount__isnull=False).exclude(category="works")
                .exclude(method=Method.OPEN_TENDER).filter(deviation_approval="").select_related("case"))
        if scope and scope.get("case_id"):
            rows = rows.filter(case_id=scope["case_id"])
        for p in rows.iterator(chunk_size=2000):
            finding = self._judge(p, p.case.amount, p.case.number, limits)
            if finding:
                yield finding

    def check_draft(self, case, params):
        purchase = _purchase_of(case)
        if purchase is None or case.amount is None:
            return []
        finding = self._judge(purchase, case.amount, case.number, _thresholds(judged_on(None), purchase.category))
        return [finding] if finding else []


class SingleSourceShare(Rule):
    """PRO-04 单一来源过多: single-source purchases above the share of the unit's purchase amount
    in a year, or a single source without its ground, justification and publicity (政府采购法
    第三十一条, 实施条例 第三十八条: 公示期不得少于5个工作日)."""

    code = "PRO-04"
    title = gettext_lazy("Single-source share")
    severity = Severity.MEDIUM
    params = {"share": Param(Decimal("20"), gettext_lazy("single source's share of the unit's purchases in a year (%)"))}

    def scan(self, params, scope=None):
        from django.db.models import DecimalField, Sum, Value
        from django.db.models.functions import Coalesce

        share = Decimal(params["share"])
        money = DecimalField(max_digits=16, decimal_places=2)
        live = Purchase.objects.filter(_LIVE_PURCHASE, case__amount__isnull=False)
        rows = (live.values("unit_id", "unit__name", "case__year")
                .annotate(total=Sum("case__amount"),
                          single=Coalesce(Sum("case__amount", filter=Q(method=Method.SINGLE_SOURCE)), Value(Decimal("0")),
                                          output_field=money))
                .filter(single__gt=0).order_by("unit_id", "case__year"))
        for r in rows:
            if r["single"] * 100 <= share * r["total"]:
                continue
            got = (r["single"] * 100 / r["total"]).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            yield Finding(
                records=(("org.unit", r["unit_id"]),), unit_id=r["unit_id"], part=f"{r['case__year']}:single_source",
                message=_("%(unit)s: single source is %(share)s%% of the purchases of %(year)s") % {
                    "unit": r["unit__name"], "share": got, "year": r["case__year"]},
                figures={"single_source": str(r["single"]), "total": str(r["total"]), "share": str(got),
                         "threshold": str(share)})
        bare = (live.filter(method=Method.SINGLE_SOURCE)
                .filter(Q(single_source_reason="") | Q(justification="") | Q(publicity_start__isnull=True)
                        | Q(publicity_end__isnull=True) | Q(publicity_place=""))
                .select_related("case"))
        for p in bare:
            yield Finding(records=(("procurement.purchase", p.pk),), unit_id=p.unit_id, part="unjustified",
                          message=_("%(number)s: single source without its ground, justification or publicity") % {
                              "number": p.case.number},
                          figures={"amount": str(p.case.amount)})


class TooFewQuotes(Rule):
    """PRO-05 询价不足: an awarded purchase by a quoting method with fewer valid quotes (each
    with its quotation document) than the rule asks (政府采购法 第四十条: 不少于三家)."""

    code = "PRO-05"
    title = gettext_lazy("Too few quotes")
    severity = Severity.MEDIUM
    params = {"quotes": Param(3, gettext_lazy("valid quotes a quoting method needs"), regulation="政府采购法 第四十条")}
    events = ("case.approved",)
    QUOTING = (Method.INQUIRY, Method.INTERNAL_INQUIRY, Method.INTERNAL_COMPETITIVE,
               Method.COMPETITIVE_NEGOTIATION, Method.COMPETITIVE_CONSULTATION)

    def scan(self, params, scope=None):
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Count, Exists, OuterRef

        from documents.models import Document

        need = int(params["quotes"])
        has_doc = Exists(Document.objects.filter(owner_type=ContentType.objects.get_for_model(Quote),
                                                 owner_id=OuterRef("pk")))
        rows = Purchase.objects.filter(status=Purchase.Status.AWARDED, method__in=self.QUOTING)
        if scope and scope.get("case_id"):
            rows = rows.filter(case_id=scope["case_id"])
        # valid quotes per purchase in one grouped query (a hash join), then the purchases
        ids = list(rows.values_list("pk", flat=True)) if scope and scope.get("case_id") else rows.values("pk")
        valid = dict(Quote.objects.filter(has_doc, purchase__in=ids).values("purchase_id")
                     .annotate(n=Count("id")).order_by().values_list("purchase_id", "n"))
        for p in rows.select_related("case").iterator(chunk_size=2000):
            n = valid.get(p.pk, 0)
            if n >= need:
                continue
            yield Finding(records=(("procurement.purchase", p.pk),), unit_id=p.unit_id,
                          message=_("%(number)s: %(method)s with %(n)s valid quotes (at least %(need)s)") % {
                              "number": p.case.number, "method": p.get_method_display(), "n": n, "need": need},
                          figures={"quotes": n, "threshold": need})


class WorksMustBeTendered(Rule):
    """PRO-09 工程必须招标: works of at least the tender threshold (施工 ¥4,000,000), equipment or
    materials for works (¥2,000,000) and survey, design or supervision services (¥1,000,000)
    bought without a tender (必须招标的工程项目规定, 国家发展改革委令第16号, 第五条). Goods and
    services count when their item class names one of the configured words."""

    code = "PRO-09"
    title = gettext_lazy("Works that must be tendered")
    severity = Severity.HIGH
    params = {
        "works": Param(Decimal("4000000"), gettext_lazy("construction contract estimate (yuan)"),
                       regulation="国家发展改革委令第16号 第五条", effective=dt.date(2018, 6, 1)),
        "equipment": Param(Decimal("2000000"), gettext_lazy("equipment and materials for works (yuan)"),
                           regulation="国家发展改革委令第16号 第五条", effective=dt.date(2018, 6, 1)),
        "services": Param(Decimal("1000000"), gettext_lazy("survey, design and supervision services (yuan)"),
                          regulation="国家发展改革委令第16号 第五条", effective=dt.date(2018, 6, 1)),
        "equipment_words": Param("设备,材料", gettext_lazy("item-class words of equipment and materials for works")),
        "service_words": Param("勘察,设计,监理", gettext_lazy("item-class words of survey, design and supervision")),
    }
    events = ("case.approved",)

    def _limit(self, purchase, params):
        words = lambda key: [w.strip() for w in str(params[key]).replace("，", ",").split(",") if w.strip()]  # noqa: E731
        cent = Decimal("0.01")
        if purchase.category == "works":
            return Decimal(params["works"]).quantize(cent)
        if purchase.category == "goods" and any(w in purchase.item_class for w in words("equipment_words")):
            return Decimal(params["equipment"]).quantize(cent)
        if purchase.category == "services" and any(w in purchase.item_class for w in words("service_words")):
            return Decimal(params["services"]).quantize(cent)
        return None

    def _judge(self, purchase, amount, number, params):
        limit = self._limit(purchase, params)
        if limit is None or amount < limit or purchase.method in NOT_TENDERED:
            return None
        return Finding(records=(("procurement.purchase", purchase.pk),), unit_id=purchase.unit_id,
                       message=_("%(number)s: %(amount)s of works reaches %(limit)s and must be tendered, but the method is "
                                 "%(method)s") % {"number": number, "amount": _yuan(amount), "limit": _yuan(limit),
                                                  "method": purchase.get_method_display()},
                       figures={"amount": str(amount), "limit": str(limit), "method": purchase.method})

    def scan(self, params, scope=None):
        low = min(Decimal(params["works"]), Decimal(params["equipment"]), Decimal(params["services"]))
        rows = (Purchase.objects.filter(_LIVE_PURCHASE, case__amount__gte=low).exclude(method__in=NOT_TENDERED)
                .select_related("case"))
        if scope and scope.get("case_id"):
            rows = rows.filter(case_id=scope["case_id"])
        for p in rows.iterator(chunk_size=2000):
            finding = self._judge(p, p.case.amount, p.case.number, params)
            if finding:
                yield finding

    def check_draft(self, case, params):
        purchase = _purchase_of(case)
        if purchase is None or case.amount is None:
            return []
        finding = self._judge(purchase, case.amount, case.number, params)
        return [finding] if finding else []
