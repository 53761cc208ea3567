"""Procurement: suppliers (供应商信息表), the configurable thresholds table, purchases as
stages of a case (method, quotes / market survey, award) and their documents.

Business rules live in ``services``; reads in ``selectors``; the method rules in
``methods`` (pure functions over the thresholds table).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.transitions import StatusTransitions

from .exceptions import InvalidProcurementStatus
from .methods import Method
from .validators import validate_credit_code

MONEY = {"max_digits": 14, "decimal_places": 2}


class PurchaseCategory(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    WORKS = "works", _("Works")


# --- suppliers ---------------------------------------------------------------------------------
class Supplier(models.Model):
    """供应商信息表: one row per legal entity, keyed by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code],
        error_messages={"unique": _("A supplier with this unified social credit code is already registered.")},
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    is_sme = models.BooleanField(
        _("small or medium enterprise"), default=True,
        help_text=_("SMEs must be paid within 30 days of acceptance (保障中小企业款项支付条例)."),
    )
    blacklisted = models.BooleanField(_("blacklisted (失信)"), default=False)
    blacklist_reason = models.CharField(_("reason for the blacklist"), max_length=300, blank=True)
    blacklisted_at = models.DateTimeField(_("blacklisted at"), null=True, blank=True)
    blacklisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("blacklisted by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # GB 11714 check of the organisation code inside the credit code failed and a person
    # confirmed the code against the registration certificate (validators.org_code_problem).
    org_code_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organisation code confirmed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    org_code_confirmed_at = models.DateTimeField(_("organisation code confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(blacklisted=False) | ~Q(blacklist_reason=""), name="supplier_blacklist_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class SupplierQualification(models.Model):
    """A licence or certificate of a supplier, with its expiry date (empty: no expiry)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("supplier"))
    name = models.CharField(_("qualification"), max_length=100)
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supplier qualification")
        verbose_name_plural = _("supplier qualifications")
        ordering = ["supplier", "valid_until", "id"]

    def __str__(self) -> str:
        return self.name

    def expired(self, on) -> bool:
        return self.valid_until is not None and self.valid_until < on


# --- thresholds (data, not code) --------------------------------------------------------------------
class Threshold(models.Model):
    """One configurable threshold: kind × category, the amount, the regulation it comes
    from and the dates it is in force. Lookups take the row in force on a date, the row of
    the exact category before a row for every category."""

    class Kind(models.TextChoices):
        SMALL_PURCHASE = "small_purchase", _("Office small-purchase limit")
        DECENTRALISED = "decentralised", _("Decentralised procurement limit")
        OPEN_TENDER = "open_tender", _("Open-tender threshold")
        WORKS_TENDER = "works_tender", _("Works that must be tendered")
        SUPERVISION = "supervision", _("Works needing a supervision contract")
        COLLECTIVE = "collective", _("Collective-decision amount")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(
        _("category"), max_length=10, choices=PurchaseCategory.choices, blank=True,
        help_text=_("Leave empty for every category."),
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    regulation = models.CharField(_("regulation"), max_length=200)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True, help_text=_("Empty: until further notice."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["kind", "category", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="threshold_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="threshold_amount_positive"),
        ]

    def __str__(self) -> str:
        cat = self.get_category_display() if self.category else _("all categories")
        return f"{self.get_kind_display()} · {cat} · {self.amount}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            raise ValidationError(_("The end date is before the start date."))
        if not self.effective_from:
            return
        overlapping = Threshold.objects.filter(kind=self.kind, category=self.category).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))
        if self.effective_to:
            overlapping = overlapping.filter(effective_from__lte=self.effective_to)
        if overlapping.exists():
            raise ValidationError(
                _("Another threshold of the same kind and category is in force in this period; end it first.")
            )


# --- purchases ------------------------------------------------------------------------------------
class Purchase(StatusTransitions, models.Model):
    """The purchase section of a procurement case: category, method and its justification."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        IN_APPROVAL = "in_approval", _("Method in approval")
        METHOD_APPROVED = "method_approved", _("Method approved")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    # status -> the statuses it may move to (``transition``, core.transitions): submitted; approved
    # (method), or returned (re-opened) or ended; awarded once its award is approved; a case
    # rejected or withdrawn before the award cancels it
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.METHOD_APPROVED, Status.DRAFT, Status.CANCELLED},
        Status.METHOD_APPROVED: {Status.AWARDED, Status.CANCELLED},
        Status.AWARDED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidProcurementStatus

    class SingleSourceReason(models.TextChoices):
        ONLY_ONE = "only_one", _("Only one supplier can provide it (政府采购法第三十一条第一项)")
        EMERGENCY = "emergency", _("Unforeseeable emergency (第三十一条第二项)")
        CONSISTENCY = "consistency", _("Additional purchase for consistency, within 10% (第三十一条第三项)")

    case = models.OneToOneField("approvals.Case", on_delete=models.PROTECT, related_name="purchase", verbose_name=_("case"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="purchases", verbose_name=_("unit"))
    category = models.CharField(_("category"), max_length=10, choices=PurchaseCategory.choices)
    item_class = models.CharField(
        _("item class"), max_length=60, help_text=_("What is bought, e.g. office equipment, property services (for split-purchase checks).")
    )
    method = models.CharField(_("procurement method"), max_length=30, choices=Method.choices)
    proposed_method = models.CharField(_("proposed method"), max_length=30, choices=Method.choices, blank=True)
    rule = models.CharField(_("rule applied"), max_length=300, blank=True)
    deviation_approval = models.CharField(
        _("approval for another method (document no.)"), max_length=100, blank=True,
        help_text=_("Only above the open-tender threshold: the finance department's approval to use another method (政府采购法第二十七条)."),
    )
    single_source_reason = models.CharField(
        _("single-source ground"), max_length=20, choices=SingleSourceReason.choices, blank=True
    )
    justification = models.TextField(_("single-source justification (论证意见)"), blank=True)
    publicity_start = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity until"), null=True, blank=True)
    publicity_place = models.CharField(_("published at"), max_length=100, blank=True)
    platform_number = models.CharField(_("platform project number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    method_approved_at = models.DateTimeField(_("method approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["category", "item_class"])]

    def __str__(self) -> str:
        return f"{self.case.number} {self.case.title}"

    @property
    def amount(self) -> Decimal | None:
        return self.case.amount


class Quote(models.Model):
    """市场行情调查: one supplier's quotation for a purchase."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("purchase"))
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("supplier"))
    amount = models.DecimalField(_("quoted price (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    quoted_on = models.DateField(_("quote date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["purchase", "amount", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "supplier"], name="quote_one_per_supplier"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="quote_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.amount}"


class Award(StatusTransitions, models.Model):
    """成交: the winning supplier and amount, with the reason; published internally once
    approved (信息内部公开)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled")
        IN_APPROVAL = "in_approval", _("In approval")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    # status -> the statuses it may move to (``transition``): submitted; awarded, or returned
    # (re-opened) or ended
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_APPROVAL, Status.CANCELLED},
        Status.IN_APPROVAL: {Status.AWARDED, Status.DRAFT, Status.CANCELLED},
        Status.AWARDED: set(),
        Status.CANCELLED: set(),
    }
    transition_error = InvalidProcurementStatus

    purchase = models.OneToOneField(Purchase, on_delete=models.PROTECT, related_name="award", verbose_name=_("purchase"))
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="awards", verbose_name=_("supplier"))
    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("winning quote"))
    amount = models.DecimalField(_("award amount (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField(_("reason for the award"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    awarded_on = models.DateField(_("award date"), null=True, blank=True)
    published_at = models.DateTimeField(_("published internally at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive")]
        indexes = [models.Index(fields=["supplier", "status", "awarded_on"])]

    def __str__(self) -> str:
        return f"{self.supplier} {self.amount}"


# --- documents ---------------------------------------------------------------------------------------
def document_path(instance, filename):
    """Referenced by the early migrations of the former Document model (files are documents now)."""
    today = timezone.localdate()
    return f"procurement/{today.year}/{instance.sha256[:2]}/{instance.sha256[:20]}{instance.extension}"


class DocKind(models.TextChoices):
    """Kinds of the files procurement records own (documents.Document.kind)."""

    QUOTE = "quote", _("Quotation")
    QUALIFICATION = "qualification", _("Qualification certificate")
