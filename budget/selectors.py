"""Reads of budget data: who sees which units, a line's figures, and the budget execution
table (预算执行情况表), all computed by SQL aggregation over the ledger."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.contrib.postgres.fields import ArrayField
from django.db.models import DecimalField, Func, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.money import round_money
from org.models import Role
from org.selectors import visible_unit_ids

from .models import BudgetLine, BudgetMovement, FundSource

ZERO = Decimal("0.00")
K = BudgetMovement.Kind
St = BudgetMovement.Stage

# Every figure of the table is a filtered sum over the ledger; one definition for the
# table, a line's figures and the drill-down.
FIGURES: dict[str, Q] = {
    "adjustments": Q(kind=K.ADJUST),
    "in_approval": Q(kind__in=[K.RESERVE, K.RELEASE], stage=St.PENDING),
    "arranged": Q(kind__in=[K.RESERVE, K.RELEASE], stage=St.ARRANGED),
    "contracted": Q(kind=K.COMMIT),
    "paid": Q(kind=K.EXECUTE),
}
FIGURE_NAMES = tuple(FIGURES)

# Roles that may manage budget lines (import) — finance office and administrators.
MANAGE_ROLES = (Role.FINANCE_REVIEWER, Role.ACCOUNTANT, Role.ADMIN)

_MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


# --- access -------------------------------------------------------------------------------
def budget_scope(user) -> set[int] | None:
    """Units whose budget the user may read: None for every unit. Deny by default: a
    person with no role, or a unit-bound role without a unit, sees nothing."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if not (user.is_superuser or user.roles):
        raise PermissionDenied
    ids = visible_unit_ids(user)
    if ids is not None and not ids:
        raise PermissionDenied
    return ids


def can_manage_budget(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(*MANAGE_ROLES)))


def scoped_lines(user) -> QuerySet[BudgetLine]:
    scope = budget_scope(user)
    qs = BudgetLine.objects.all()
    return qs if scope is None else qs.filter(unit_id__in=scope)


def line_for_user(user, pk: int) -> BudgetLine:
    """The line if the user may read it; PermissionDenied / DoesNotExist otherwise."""
    scope = budget_scope(user)
    line = BudgetLine.objects.select_related("unit").get(pk=pk)
    if scope is not None and line.unit_id not in scope:
        raise PermissionDenied
    return line


# --- figures ------------------------------------------------------------------------------
@dataclass(slots=True)
class Figures:
    amount: Decimal = ZERO
    adjustments: Decimal = ZERO
    in_approval: Decimal = ZERO
    arranged: Decimal = ZERO
    contracted: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def adjusted(self) -> Decimal:
        return self.amount + self.adjustments

    @property
    def reserved(self) -> Decimal:
        """In approval and arranged: what approved or pending forms hold."""
        return self.in_approval + self.arranged

    @property
    def used(self) -> Decimal:
        return self.in_approval + self.arranged + self.contracted + self.paid

    @property
    def available(self) -> Decimal:
        return self.adjusted - self.used

    @property
    def execution_rate(self) -> Decimal | None:
        """Paid as a share of the adjusted budget, in percent (2 places)."""
        if self.adjusted <= 0:
            return None
        return round_money(self.paid * 100 / self.adjusted)

    def add(self, other: Figures) -> None:
        self.amount += other.amount
        self.adjustments += other.adjustments
        self.in_approval += other.in_approval
        self.arranged += other.arranged
        self.contracted += other.contracted
        self.paid += other.paid


def _sum(q: Q) -> Coalesce:
    return Coalesce(Sum("amount", filter=q), Value(ZERO), output_field=_MONEY_FIELD)


def line_figures(line: BudgetLine | int) -> Figures:
    """The figures of one line, in one query."""
    line_id = line if isinstance(line, int) else line.pk
    amount = None if isinstance(line, int) else line.amount
    sums = BudgetMovement.objects.filter(line_id=line_id).aggregate(**{n: _sum(q) for n, q in FIGURES.items()})
    if amount is None:
        amount = BudgetLine.objects.values_list("amount", flat=True).get(pk=line_id)
    return Figures(amount=amount, **sums)


def _figures_array():
    """One correlated subquery per line: ARRAY[sum per figure] over the line's ledger rows,
    read through the (line, kind) index. Cheaper than joining and grouping the lines with
    every ledger row (no wide sort), and it streams with a server-side cursor."""
    sums = [Sum("amount", filter=q) for q in FIGURES.values()]
    array = Func(*sums, function="ARRAY", template="ARRAY[%(expressions)s]",
                 output_field=ArrayField(DecimalField(max_digits=16, decimal_places=2)))
    rows = BudgetMovement.objects.filter(line_id=OuterRef("pk")).order_by().values("line_id").annotate(figs=array)
    return Subquery(rows.values("figs"))


def with_figures(qs: QuerySet[BudgetLine]) -> QuerySet[BudgetLine]:
    """Annotate each line with its figures (``figures_of(line)`` reads them), one query."""
    return qs.annotate(f_figures=_figures_array())


def figures_of(line: BudgetLine) -> Figures:
    """Figures of a line annotated by ``with_figures``."""
    values = getattr(line, "f_figures", None)
    if not values:
        return Figures(amount=line.amount)
    return Figures(line.amount, *[ZERO if v is None else v for v in values])


def case_reservations(case) -> dict[tuple[int, str], Decimal]:
    """The case's reservation balance per (line id, stage), non-zero only."""
    rows = (
        BudgetMovement.objects.filter(case=case, kind__in=[K.RESERVE, K.RELEASE])
        .values("line_id", "stage")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(r["line_id"], r["stage"]): r["total"] for r in rows if r["total"]}


def source_commitments(source_type_id: int, source_id: int) -> dict[int, Decimal]:
    """The commitment balance of a contract (or other source) per line, non-zero only."""
    rows = (
        BudgetMovement.objects.filter(kind=K.COMMIT, source_type_id=source_type_id, source_id=source_id)
        .values("line_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {r["line_id"]: r["total"] for r in rows if r["total"]}


# --- the execution table ---------------------------------------------------------------------
def time_progress(year: int, today: dt.date | None = None) -> Decimal:
    """Share of the fiscal (calendar) year elapsed at the end of today, in percent."""
    today = today or timezone.localdate()
    if year < today.year:
        return Decimal("100.00")
    if year > today.year:
        return ZERO
    days = 366 if calendar.isleap(year) else 365
    elapsed = today.timetuple().tm_yday
    return round_money(Decimal(elapsed) * 100 / days)


def execution_queryset(*, scope: set[int] | None, year: int, unit_id: int | None = None,
                       fund_source: str | None = None) -> QuerySet[BudgetLine]:
    """Lines of the table with their figures, ordered for subtotals (unit, project, economic class)."""
    qs = BudgetLine.objects.filter(year=year, is_active=True)
    if scope is not None:
        qs = qs.filter(unit_id__in=scope)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if fund_source:
        qs = qs.filter(fund_source=fund_source)
    qs = qs.select_related("unit")
    return with_figures(qs).order_by("unit__sort_order", "unit__code", "unit_id", "project", "economic_code", "functional_code", "fund_source", "id")


@dataclass
class Group:
    key: str
    label: str
    figures: Figures = field(default_factory=Figures)
    count: int = 0
    unit_id: int | None = None
    project: str | None = None
    economic_code: str | None = None


@dataclass
class TableRow:
    """A row of the rendered table: a line, a project subtotal or a unit subtotal."""

    kind: str  # line | project | unit
    label: str
    figures: Figures
    line: BudgetLine | None = None
    group: Group | None = None


def iter_table_rows(lines, *, with_projects: bool = True):
    """Stream lines with subtotal rows after each project and each unit. Works on an
    iterator: it keeps only the current groups in memory. Yields TableRow; the last
    element yielded is the grand total (kind "total")."""
    total = Figures()
    unit_group: Group | None = None
    project_group: Group | None = None
    for line in lines:
        fig = figures_of(line)
        if unit_group is None or unit_group.unit_id != line.unit_id:
            if project_group is not None and with_projects:
                yield TableRow("project", project_group.label, project_group.figures, group=project_group)
            if unit_group is not None:
                yield TableRow("unit", unit_group.label, unit_group.figures, group=unit_group)
            unit_group = Group(key=f"u{line.unit_id}", label=line.unit.name, unit_id=line.unit_id)
            project_group = None
        if project_group is None or project_group.project != line.project:
            if project_group is not None and with_projects:
                yield TableRow("project", project_group.label, project_group.figures, group=project_group)
            project_group = Group(key=f"p{line.unit_id}-{line.project}", label=line.project, unit_id=line.unit_id, project=line.project)
        for g in (unit_group, project_group, None):
            target = total if g is None else g.figures
            target.add(fig)
            if g is not None:
                g.count += 1
        yield TableRow("line", str(line), fig, line=line)
    if project_group is not None and with_projects:
        yield TableRow("project", project_group.label, project_group.figures, group=project_group)
    if unit_group is not None:
        yield TableRow("unit", unit_group.label, unit_group.figures, group=unit_group)
    yield TableRow("total", "", total)


@dataclass
class ExecutionTable:
    year: int
    rows: list[TableRow]
    total: Figures
    by_unit: list[Group]
    by_economic: list[Group]
    time_progress: Decimal
    line_count: int


def execution_table(*, user, year: int, unit_id: int | None = None, fund_source: str | None = None,
                    today: dt.date | None = None) -> ExecutionTable:
    """The whole table for the page: one query for the lines and their figures, subtotals in Python."""
    scope = budget_scope(user)
    lines = list(execution_queryset(scope=scope, year=year, unit_id=unit_id, fund_source=fund_source))
    rows: list[TableRow] = []
    total = Figures()
    by_unit: list[Group] = []
    by_economic: OrderedDict[str, Group] = OrderedDict()
    for row in iter_table_rows(lines):
        if row.kind == "total":
            total = row.figures
            continue
        rows.append(row)
        if row.kind == "unit":
            by_unit.append(row.group)
        elif row.kind == "line":
            line = row.line
            g = by_economic.get(line.economic_code)
            if g is None:
                g = by_economic[line.economic_code] = Group(
                    key=f"e{line.economic_code}", label=f"{line.economic_code} {line.economic_name}", economic_code=line.economic_code
                )
            g.figures.add(row.figures)
            g.count += 1
    economic = sorted(by_economic.values(), key=lambda g: g.economic_code)
    return ExecutionTable(
        year=year, rows=rows, total=total, by_unit=by_unit, by_economic=economic,
        time_progress=time_progress(year, today), line_count=len(lines),
    )


def count_lines(*, user, year: int, unit_id: int | None = None, fund_source: str | None = None) -> int:
    scope = budget_scope(user)
    qs = BudgetLine.objects.filter(year=year, is_active=True)
    if scope is not None:
        qs = qs.filter(unit_id__in=scope)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if fund_source:
        qs = qs.filter(fund_source=fund_source)
    return qs.count()


def monthly_paid(*, user, year: int, unit_id: int | None = None, fund_source: str | None = None) -> list[Decimal]:
    """Paid per month of the year (12 figures), by the payment date, in one query."""
    scope = budget_scope(user)
    qs = BudgetMovement.objects.filter(kind=K.EXECUTE, line__year=year, line__is_active=True, occurred_on__year=year)
    if scope is not None:
        qs = qs.filter(line__unit_id__in=scope)
    if unit_id:
        qs = qs.filter(line__unit_id=unit_id)
    if fund_source:
        qs = qs.filter(line__fund_source=fund_source)
    rows = qs.annotate(month=ExtractMonth("occurred_on")).values("month").annotate(total=Sum("amount")).order_by()
    months = [ZERO] * 12
    for r in rows:
        months[r["month"] - 1] = r["total"]
    return months


def chart_data(table: ExecutionTable, months: list[Decimal]) -> dict:
    """Plain numbers for the charts (ECharts takes strings of decimals as numbers)."""
    cumulative = []
    running = ZERO
    adjusted = table.total.adjusted
    for m in months:
        running += m
        cumulative.append(str(round_money(running * 100 / adjusted)) if adjusted > 0 else "0")
    days = 366 if calendar.isleap(table.year) else 365
    time_line = []
    for month in range(1, 13):
        end = dt.date(table.year, month, calendar.monthrange(table.year, month)[1])
        time_line.append(str(round_money(Decimal(end.timetuple().tm_yday) * 100 / days)))
    return {
        "units": [g.label for g in table.by_unit],
        "adjusted": [str(g.figures.adjusted) for g in table.by_unit],
        "used": [str(g.figures.arranged + g.figures.contracted + g.figures.in_approval) for g in table.by_unit],
        "paid": [str(g.figures.paid) for g in table.by_unit],
        "rate": [str(g.figures.execution_rate or 0) for g in table.by_unit],
        "months": [str(m) for m in months],
        "cumulative_rate": cumulative,
        "time_progress": time_line,
        "time_progress_now": str(table.time_progress),
        "month_labels": [_("Month %(month)s") % {"month": m} for m in range(1, 13)],
        "axis_name": _("10k yuan"),
        "axis_divisor": "10000",
    }


# --- drill-down ----------------------------------------------------------------------------
def ledger_queryset(*, user, year: int | None = None, line_id: int | None = None, unit_id: int | None = None,
                    project: str | None = None, economic_code: str | None = None, fund_source: str | None = None,
                    figure: str | None = None) -> QuerySet[BudgetMovement]:
    """Ledger rows behind a figure, shaped for the list page."""
    scope = budget_scope(user)
    qs = BudgetMovement.objects.all()
    if scope is not None:
        qs = qs.filter(line__unit_id__in=scope)
    if year:
        qs = qs.filter(line__year=year)
    if line_id:
        qs = qs.filter(line_id=line_id)
    if unit_id:
        qs = qs.filter(line__unit_id=unit_id)
    if project:
        qs = qs.filter(line__project=project)
    if economic_code:
        qs = qs.filter(line__economic_code=economic_code)
    if fund_source:
        qs = qs.filter(line__fund_source=fund_source)
    if figure in FIGURES:
        qs = qs.filter(FIGURES[figure])
    return qs.select_related("line__unit", "case", "actor", "source_type").order_by("-occurred_on", "-id")


def line_cases(line: BudgetLine):
    """The cases that spend from the line, with their reservation state."""
    return line.case_links.select_related("case__applicant", "case__matter").order_by("-case__created_at")


def fund_source_choices():
    return FundSource.choices
