"""Organisation data every app imports: units, people and their roles, supervision,
and which unit is the functional (归口) department of each field."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    UNIT_HEAD = "unit_head", _("Unit head")
    FINANCE_REVIEWER = "finance_reviewer", _("Finance reviewer")
    ACCOUNTANT = "accountant", _("Accountant")
    CASHIER = "cashier", _("Cashier")
    LEADER = "leader", _("Leader in charge")
    PRINCIPAL = "principal", _("Principal leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


# Roles that read and never change anything (纪检监察/审计: "reads everything, changes nothing").
READ_ONLY_ROLES = frozenset({Role.SUPERVISOR})

# Roles that may read every unit's records (but change nothing unless their role says so).
WIDE_READ_ROLES = frozenset({Role.FINANCE_REVIEWER, Role.ACCOUNTANT, Role.CASHIER, Role.SUPERVISOR, Role.ADMIN, Role.PRINCIPAL})


class Unit(models.Model):
    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Leadership")
        DEPARTMENT = "department", _("Department / centre")
        COMMUNITY = "community", _("Community")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leader_in_charge = models.ForeignKey(
        "org.User",
        verbose_name=_("leader in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_units",
        help_text=_("The deputy leader who supervises this unit and approves its matters."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def heads(self):
        return User.objects.filter(unit=self, is_active=True, roles__contains=[Role.UNIT_HEAD])


class NeiqiaoUserManager(UserManager):
    def with_role(self, role: str):
        return self.filter(is_active=True, roles__contains=[role])


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    roles = ArrayField(
        models.CharField(max_length=30, choices=Role.choices),
        verbose_name=_("roles"),
        default=list,
        blank=True,
    )
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    objects = NeiqiaoUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["unit__sort_order", "username"]
        indexes = [models.Index(fields=["unit"])]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]

    @property
    def changes_nothing(self) -> bool:
        """The one place that decides whether a person may write at all: someone whose every
        role is a read-only role (the supervisor) files, comments, urges, copies and registers
        nothing. Business apps ask this before any write."""
        return bool(self.roles) and not self.is_superuser and set(self.roles) <= READ_ONLY_ROLES

    @property
    def reads_everything(self) -> bool:
        return self.is_superuser or any(r in WIDE_READ_ROLES for r in self.roles)


class FunctionalDepartment(models.Model):
    """Which unit is the functional (归口) department of a field, for every unit's matters."""

    class Field(models.TextChoices):
        MONEY = "money", _("Money (finance office)")
        PURCHASE = "purchase", _("Purchases (procurement centre)")
        WORKS = "works", _("Works (construction office)")
        DOCUMENTS = "documents", _("Documents (party and government office)")
        ASSETS = "assets", _("Assets")

    field = models.CharField(_("field"), max_length=20, choices=Field.choices, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="functional_fields")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("functional department")
        verbose_name_plural = _("functional departments")
        ordering = ["field"]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.unit}"
