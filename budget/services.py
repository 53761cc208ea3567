"""Writes of the budget app: budget lines, budget control on every money step, adjustments
and the yearly import.

Every check-then-write takes the line rows ``FOR UPDATE`` (in id order, so two
transactions never deadlock) inside ``transaction.atomic()``, reads the line's figures
from the ledger under that lock, then appends ledger rows. Nothing is ever updated in
place: the figures are sums of the ledger.

Issue 5 (contracts, payments) calls ``budget_commit``, ``budget_commit_release`` and
``budget_execute``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.money import AmountError, parse_amount
from approvals.money import format_yuan

from . import selectors
from .exceptions import BudgetError, BudgetExceeded, BudgetImportError
from .models import BudgetAdjustment, BudgetLine, BudgetMovement, CaseBudget, ControlMode

K = BudgetMovement.Kind
St = BudgetMovement.Stage
ZERO = Decimal("0.00")


# --- helpers -------------------------------------------------------------------------------
def _money(value, *, what: str) -> Decimal:
    """A positive amount with at most 2 decimal places, or BudgetError."""
    try:
        return parse_amount(value)
    except AmountError as e:
        message = {
            "invalid": _("%(what)s is not an amount."),
            "decimals": _("%(what)s can have at most 2 decimal places."),
            "too_large": _("%(what)s is too large."),
        }.get(e.code, _("%(what)s must be greater than zero."))
        raise BudgetError(message % {"what": what}) from None


def _lock_lines(ids) -> dict[int, BudgetLine]:
    """Lock the lines FOR UPDATE in id order (a fixed order: no deadlock between two writers)."""
    ids = sorted({i for i in ids if i is not None})
    lines = BudgetLine.objects.select_for_update(of=("self",)).select_related("unit").filter(pk__in=ids).order_by("pk")
    found = {line.pk: line for line in lines}
    if len(found) != len(ids):
        raise BudgetError(_("The budget line no longer exists."))
    return found


def _row(line: BudgetLine, kind: str, amount: Decimal, *, batch, actor=None, case=None, stage: str = "",
         source=None, note: str = "", warning: str = "", occurred_on=None) -> BudgetMovement:
    movement = BudgetMovement(
        line=line, kind=kind, amount=amount, stage=stage, case=case, batch=batch, actor=actor,
        note=note[:200], warning=warning[:300], occurred_on=occurred_on or timezone.localdate(),
    )
    if source is not None:
        movement.source_type = ContentType.objects.get_for_model(source, for_concrete_model=False)
        movement.source_id = source.pk
    movement.save()
    return movement


def _shortfall_message(line: BudgetLine, available: Decimal, asked: Decimal) -> str:
    params = {
        "line": line.label,
        "available": format_yuan(available),
        "asked": format_yuan(asked),
        "short": format_yuan(asked - available),
    }
    if line.control_mode == ControlMode.HARD:
        return _(
            "Budget line “%(line)s” has %(available)s available but %(asked)s is asked, %(short)s too much. "
            "The line is under hard control: the form cannot be submitted until the amount is reduced or the budget is adjusted."
        ) % params
    return _(
        "Budget line “%(line)s” has %(available)s available but %(asked)s is asked, %(short)s over budget. "
        "The line is under warning control: the form goes on and the overrun is recorded."
    ) % params


def _check_room(line: BudgetLine, asked: Decimal, *, strict: bool = False) -> str:
    """Under the line's lock: refuse (hard line, or ``strict``) or return a warning (warn
    line) when ``asked`` is more than the line's available amount; "" when it fits."""
    if asked <= 0:
        return ""
    available = selectors.line_figures(line).available
    if asked <= available:
        return ""
    if strict:
        raise BudgetExceeded(
            _("Budget line “%(line)s” has only %(available)s available; %(asked)s cannot be taken from it.")
            % {"line": line.label, "available": format_yuan(available), "asked": format_yuan(asked)},
            line_id=line.pk, available=available, asked=asked,
        )
    message = _shortfall_message(line, available, asked)
    if line.control_mode == ControlMode.HARD:
        raise BudgetExceeded(message, line_id=line.pk, available=available, asked=asked)
    if line.control_mode == ControlMode.WARN:
        return message
    return ""


def _check_line_for_case(line: BudgetLine, case, *, same_unit: bool = True) -> None:
    if not line.is_active:
        raise BudgetError(_("Budget line “%(line)s” is closed.") % {"line": line.label})
    if line.year != case.year:
        raise BudgetError(
            _("Budget line “%(line)s” belongs to %(line_year)s; the form is of %(year)s.")
            % {"line": line.label, "line_year": line.year, "year": case.year}
        )
    if same_unit and line.unit_id != case.unit_id:
        raise BudgetError(
            _("Budget line “%(line)s” belongs to %(unit)s, not to the form's unit %(case_unit)s.")
            % {"line": line.label, "unit": line.unit.name, "case_unit": case.unit.name}
        )


def _case_amount(case) -> Decimal:
    if case.amount is None:
        raise BudgetError(_("A form that spends money needs an amount."))
    return _money(case.amount, what=_("The amount"))


def _sync_reservation(case, line: BudgetLine, amount: Decimal, *, actor, batch, strict: bool = False,
                      note: str = "") -> str:
    """Bring the case's reservation to ``amount`` on ``line`` (which must be locked, as must
    every line the case holds money on). Reserves or releases only the difference; releases
    whatever the case holds on other lines. Returns the warning recorded, if any."""
    held = selectors.case_reservations(case)
    for (line_id, stage), total in sorted(held.items()):
        if line_id != line.pk and total > 0:
            other = BudgetLine.objects.get(pk=line_id)
            _row(other, K.RELEASE, -total, stage=stage, case=case, batch=batch, actor=actor,
                 note=_("Released: the form now spends from another line"))
    held_here = {stage: total for (line_id, stage), total in held.items() if line_id == line.pk}
    current = sum(held_here.values(), ZERO)
    diff = amount - current
    if diff > 0:
        warning = _check_room(line, diff, strict=strict)
        _row(line, K.RESERVE, diff, stage=St.PENDING, case=case, batch=batch, actor=actor,
             note=note or _("Reserved on submission"), warning=warning)
        return warning
    if diff < 0:
        # release from the pending part first, then the arranged part
        rest = -diff
        for stage in (St.PENDING, St.ARRANGED):
            part = min(rest, held_here.get(stage, ZERO))
            if part > 0:
                _row(line, K.RELEASE, -part, stage=stage, case=case, batch=batch, actor=actor,
                     note=_("Released: the amount was reduced"))
                rest -= part
    return ""


def _release_case(case, *, actor, batch, note: str) -> Decimal:
    """Release every reservation the case holds (both stages, every line). Lines must be
    locked by the caller. Returns the total released."""
    released = ZERO
    held = selectors.case_reservations(case)
    lines = {line.pk: line for line in BudgetLine.objects.filter(pk__in={k[0] for k in held})}
    for (line_id, stage), total in sorted(held.items()):
        if total > 0:
            _row(lines[line_id], K.RELEASE, -total, stage=stage, case=case, batch=batch, actor=actor, note=note)
            released += total
    return released


def _held_line_ids(case) -> set[int]:
    return {line_id for (line_id, _stage), total in selectors.case_reservations(case).items() if total}


# --- budget lines --------------------------------------------------------------------------
def budget_line_create(*, year: int, unit, project: str, functional_code: str, functional_name: str,
                       economic_code: str, economic_name: str, amount, fund_source: str = "fiscal",
                       control_mode: str = ControlMode.HARD, note: str = "") -> BudgetLine:
    line = BudgetLine(
        year=year, unit=unit, project=(project or "").strip(), functional_code=(functional_code or "").strip(),
        functional_name=(functional_name or "").strip(), economic_code=(economic_code or "").strip(),
        economic_name=(economic_name or "").strip(), fund_source=fund_source, control_mode=control_mode,
        amount=Decimal(str(amount)) if amount is not None else None, note=note,
    )
    line.full_clean()
    line.save()
    return line


# --- the budget section of a spending case --------------------------------------------------
def case_budget_set(*, case, line: BudgetLine) -> CaseBudget:
    """Choose (or change) the line a case spends from. Allowed while the case can be edited;
    the reservation follows on the next submission."""
    if case.status not in ("draft", "returned"):
        raise BudgetError(_("The budget line can only be changed before submission or after a return."))
    _check_line_for_case(line, case)
    link, created = CaseBudget.objects.get_or_create(case=case, defaults={"line": line})
    if not created and link.line_id != line.pk and link.state == CaseBudget.State.ARRANGED:
        raise BudgetError(_("The budget of an approved form cannot be moved to another line."))
    if not created and link.line_id != line.pk:
        link.line = line
        link.save(update_fields=["line", "updated_at"])
    return link


def case_budget_check(*, case) -> list[str]:
    """Would the case's submission fit its line? Raises for a hard line that is short;
    returns the warnings a warn line would record. Locks the line: call inside the
    submission's transaction."""
    with transaction.atomic():
        link = CaseBudget.objects.select_related("line__unit").filter(case=case).first()
        if link is None:
            raise BudgetError(_("Choose the budget line this form spends from."))
        amount = _case_amount(case)
        lines = _lock_lines({link.line_id} | _held_line_ids(case))
        line = lines[link.line_id]
        _check_line_for_case(line, case)
        held_here = sum(
            (t for (lid, _s), t in selectors.case_reservations(case).items() if lid == line.pk), ZERO
        )
        warning = _check_room(line, amount - held_here)
        return [warning] if warning else []


def case_budget_reserve(*, case, actor) -> list[str]:
    """On submission (and resubmission): reserve the case amount on its line, idempotently —
    only the difference to what the case already holds; a reduced amount releases the
    difference; a changed line moves the reservation. Hard lines refuse a shortfall."""
    with transaction.atomic():
        link = CaseBudget.objects.select_for_update().filter(case=case).first()
        if link is None:
            raise BudgetError(_("Choose the budget line this form spends from."))
        amount = _case_amount(case)
        lines = _lock_lines({link.line_id} | _held_line_ids(case))
        line = lines[link.line_id]
        _check_line_for_case(line, case)
        warning = _sync_reservation(case, line, amount, actor=actor, batch=uuid.uuid4())
        if link.state != CaseBudget.State.RESERVED:
            link.state = CaseBudget.State.RESERVED
            link.save(update_fields=["state", "updated_at"])
        return [warning] if warning else []


def case_budget_follow(*, case, amount, actor) -> list[str]:
    """A later stage of the case decided ``amount`` (the award below the estimate, the
    contract): the reservation the case still holds follows it — the difference is released,
    or (where the stage may grow) reserved, a hard line refusing a shortfall. Nothing
    happens once the reservation has become a commitment or was released."""
    amount = _money(amount, what=_("The amount"))
    with transaction.atomic():
        link = CaseBudget.objects.select_for_update().filter(case=case).first()
        if link is None or link.state == CaseBudget.State.RELEASED:
            return []
        ids = _held_line_ids(case)
        if not ids:
            return []
        lines = _lock_lines(ids | {link.line_id})
        held = sum((t for (_lid, _s), t in selectors.case_reservations(case).items()), ZERO)
        if held == amount:
            return []
        warning = _sync_reservation(case, lines[link.line_id], amount, actor=actor, batch=uuid.uuid4(),
                                    note=_("Reserved: a later stage decided a higher amount"))
        return [warning] if warning else []


def case_budget_arrange(*, case, actor) -> None:
    """On approval: the case's pending reservation becomes arranged (已安排)."""
    with transaction.atomic():
        link = CaseBudget.objects.select_for_update().filter(case=case).first()
        if link is None:
            return
        held = selectors.case_reservations(case)
        lines = _lock_lines(lid for (lid, _s) in held) if held else {}
        held = selectors.case_reservations(case)
        batch = uuid.uuid4()
        for (line_id, stage), total in sorted(held.items()):
            if stage == St.PENDING and total > 0:
                line = lines[line_id]
                _row(line, K.RELEASE, -total, stage=St.PENDING, case=case, batch=batch, actor=actor,
                     note=_("Approved: moved to arranged"))
                _row(line, K.RESERVE, total, stage=St.ARRANGED, case=case, batch=batch, actor=actor,
                     note=_("Arranged by the approved form"))
        if link.state != CaseBudget.State.ARRANGED:
            link.state = CaseBudget.State.ARRANGED
            link.save(update_fields=["state", "updated_at"])


def case_budget_release(*, case, actor, note: str | None = None) -> Decimal:
    """On rejection or withdrawal: release whatever the case still holds. Idempotent."""
    with transaction.atomic():
        link = CaseBudget.objects.select_for_update().filter(case=case).first()
        ids = _held_line_ids(case)
        if ids:
            _lock_lines(ids)
        released = _release_case(case, actor=actor, batch=uuid.uuid4(), note=note or _("Released: the form was closed"))
        if link is not None and link.state != CaseBudget.State.RELEASED:
            link.state = CaseBudget.State.RELEASED
            link.save(update_fields=["state", "updated_at"])
        return released


# --- contracts and payments (issue 5) ----------------------------------------------------------
def _reservation_parts(case, line: BudgetLine, amount: Decimal) -> list[tuple[str, Decimal]]:
    """How much of the case's reservation on the line (arranged first, then pending) covers
    ``amount``: [(stage, part), ...]."""
    if case is None or amount <= 0:
        return []
    held = selectors.case_reservations(case)
    parts, covered = [], ZERO
    for stage in (St.ARRANGED, St.PENDING):
        part = min(amount - covered, held.get((line.pk, stage), ZERO))
        if part > 0:
            parts.append((stage, part))
            covered += part
    return parts


def budget_commit(*, line: BudgetLine, amount, source, case=None, actor=None, note: str = "",
                  occurred_on=None) -> list[BudgetMovement]:
    """A contract (``source``) commits ``amount`` on the line. The case's reservation on the
    line is converted first; only the part beyond it is checked against the available
    amount (a hard line refuses a shortfall, a warn line records it)."""
    amount = _money(amount, what=_("The committed amount"))
    with transaction.atomic():
        line = _lock_lines([line.pk])[line.pk]
        parts = _reservation_parts(case, line, amount)
        covered = sum((p for _s, p in parts), ZERO)
        warning = _check_room(line, amount - covered)
        batch = uuid.uuid4()
        for stage, part in parts:
            _row(line, K.RELEASE, -part, stage=stage, case=case, batch=batch, actor=actor,
                 note=_("Converted into a commitment"), occurred_on=occurred_on)
        _row(line, K.COMMIT, amount, source=source, case=case, batch=batch, actor=actor,
             note=note or _("Committed by contract"), warning=warning, occurred_on=occurred_on)
        return list(BudgetMovement.objects.filter(batch=batch).order_by("id"))


def budget_commit_release(*, source, actor=None, amount=None, note: str = "") -> Decimal:
    """Release a contract's remaining commitment (contract closed, terminated, or reduced by
    ``amount``). Returns the total released."""
    ct = ContentType.objects.get_for_model(source, for_concrete_model=False)
    with transaction.atomic():
        balances = selectors.source_commitments(ct.pk, source.pk)
        if not balances:
            return ZERO
        lines = _lock_lines(balances)
        balances = selectors.source_commitments(ct.pk, source.pk)
        rest = _money(amount, what=_("The amount to release")) if amount is not None else None
        if rest is not None and rest > sum(balances.values(), ZERO):
            raise BudgetError(
                _("Only %(held)s is committed by this contract; %(asked)s cannot be released.")
                % {"held": format_yuan(sum(balances.values(), ZERO)), "asked": format_yuan(rest)}
            )
        batch = uuid.uuid4()
        released = ZERO
        for line_id, balance in sorted(balances.items()):
            part = balance if rest is None else min(balance, rest - released)
            if part > 0:
                _row(lines[line_id], K.COMMIT, -part, source=source, batch=batch, actor=actor,
                     note=note or _("Commitment released"))
                released += part
        return released


def budget_execute(*, line: BudgetLine, amount, source, commitment=None, case=None, actor=None,
                   note: str = "", occurred_on=None) -> list[BudgetMovement]:
    """A payment (``source``) executes ``amount`` on the line. It uses the contract's
    (``commitment``) commitment on the line first, then the case's reservation; only the
    rest is checked against the available amount."""
    amount = _money(amount, what=_("The paid amount"))
    with transaction.atomic():
        line = _lock_lines([line.pk])[line.pk]
        from_commitment = ZERO
        if commitment is not None:
            ct = ContentType.objects.get_for_model(commitment, for_concrete_model=False)
            from_commitment = min(amount, selectors.source_commitments(ct.pk, commitment.pk).get(line.pk, ZERO))
        parts = _reservation_parts(case, line, amount - from_commitment)
        covered = from_commitment + sum((p for _s, p in parts), ZERO)
        warning = _check_room(line, amount - covered)
        batch = uuid.uuid4()
        if from_commitment > 0:
            _row(line, K.COMMIT, -from_commitment, source=commitment, case=case, batch=batch, actor=actor,
                 note=_("Used by a payment"), occurred_on=occurred_on)
        for stage, part in parts:
            _row(line, K.RELEASE, -part, stage=stage, case=case, batch=batch, actor=actor,
                 note=_("Converted into a payment"), occurred_on=occurred_on)
        _row(line, K.EXECUTE, amount, source=source, case=case, batch=batch, actor=actor,
             note=note or _("Paid"), warning=warning, occurred_on=occurred_on)
        return list(BudgetMovement.objects.filter(batch=batch).order_by("id"))


def budget_refund(*, line: BudgetLine, amount, source, case=None, actor=None, note: str = "",
                  occurred_on=None) -> BudgetMovement:
    """A refund or a voided payment (``source``) gives back ``amount`` executed on the line: an
    execute row of −amount; the money is available on the line again."""
    amount = _money(amount, what=_("The refunded amount"))
    with transaction.atomic():
        line = _lock_lines([line.pk])[line.pk]
        return _row(line, K.EXECUTE, -amount, source=source, case=case, batch=uuid.uuid4(), actor=actor,
                    note=note or _("Refunded"), occurred_on=occurred_on)


# --- adjustments (追加 / 调减 / 调剂) -----------------------------------------------------------
def budget_adjustment_set(*, case, kind: str, line: BudgetLine, to_line: BudgetLine | None = None) -> BudgetAdjustment:
    if case.status not in ("draft", "returned"):
        raise BudgetError(_("The adjustment can only be changed before submission or after a return."))
    if kind not in BudgetAdjustment.Kind.values:
        raise BudgetError(_("Choose the kind of adjustment."))
    if kind == BudgetAdjustment.Kind.TRANSFER:
        if to_line is None:
            raise BudgetError(_("A transfer needs the line the money goes to."))
        if to_line.pk == line.pk:
            raise BudgetError(_("A transfer needs two different lines."))
    else:
        to_line = None
    for each in filter(None, (line, to_line)):
        _check_line_for_case(each, case, same_unit=False)
    if BudgetAdjustment.objects.filter(case=case, state=BudgetAdjustment.State.APPLIED).exists():
        raise BudgetError(_("The adjustment has been applied and cannot be changed."))
    adjustment, _created = BudgetAdjustment.objects.update_or_create(
        case=case, defaults={"kind": kind, "line": line, "to_line": to_line}
    )
    return adjustment


def budget_adjustment_submit(*, case, actor) -> list[str]:
    """On submission: a decrease or transfer reserves the amount on the source line (it
    must be available, whatever the line's control); an increase reserves nothing."""
    with transaction.atomic():
        adj = BudgetAdjustment.objects.select_for_update().filter(case=case).first()
        if adj is None:
            raise BudgetError(_("Fill in the budget adjustment."))
        amount = _money(case.amount, what=_("The adjustment amount")) if case.amount is not None else None
        if amount is None:
            raise BudgetError(_("An adjustment needs an amount."))
        lines = _lock_lines({adj.line_id, adj.to_line_id} | _held_line_ids(case))
        for line_id in filter(None, (adj.line_id, adj.to_line_id)):
            _check_line_for_case(lines[line_id], case, same_unit=False)
        batch = uuid.uuid4()
        if adj.kind == BudgetAdjustment.Kind.INCREASE:
            _release_case(case, actor=actor, batch=batch, note=_("Released: an increase reserves nothing"))
        else:
            _sync_reservation(case, lines[adj.line_id], amount, actor=actor, batch=batch, strict=True,
                              note=_("Held for the adjustment in approval"))
        if adj.state != BudgetAdjustment.State.PENDING:
            adj.state = BudgetAdjustment.State.PENDING
            adj.save(update_fields=["state", "updated_at"])
        return []


def budget_adjustment_apply(*, case, actor) -> list[BudgetMovement]:
    """On approval: write the adjustment rows (the held amount is released in the same batch)."""
    with transaction.atomic():
        adj = BudgetAdjustment.objects.select_for_update().filter(case=case).first()
        if adj is None or adj.state == BudgetAdjustment.State.APPLIED:
            return []
        amount = _money(case.amount, what=_("The adjustment amount"))
        lines = _lock_lines({adj.line_id, adj.to_line_id} | _held_line_ids(case))
        batch = uuid.uuid4()
        kind_label = adj.get_kind_display()
        note = _("%(kind)s approved in %(number)s") % {"kind": kind_label, "number": case.number}
        _release_case(case, actor=actor, batch=batch, note=_("Released: the adjustment is applied"))
        line = lines[adj.line_id]
        if adj.kind == BudgetAdjustment.Kind.INCREASE:
            _row(line, K.ADJUST, amount, case=case, batch=batch, actor=actor, note=note)
        else:
            # the held amount was released just above; it must still be there
            _check_room(line, amount, strict=True)
            _row(line, K.ADJUST, -amount, case=case, batch=batch, actor=actor, note=note)
            if adj.kind == BudgetAdjustment.Kind.TRANSFER:
                _row(lines[adj.to_line_id], K.ADJUST, amount, case=case, batch=batch, actor=actor, note=note)
        adj.state = BudgetAdjustment.State.APPLIED
        adj.save(update_fields=["state", "updated_at"])
        return list(BudgetMovement.objects.filter(batch=batch).order_by("id"))


def budget_adjustment_release(*, case, actor) -> None:
    """On rejection or withdrawal: release the held amount. Idempotent."""
    with transaction.atomic():
        adj = BudgetAdjustment.objects.select_for_update().filter(case=case).first()
        ids = _held_line_ids(case)
        if ids:
            _lock_lines(ids)
        _release_case(case, actor=actor, batch=uuid.uuid4(), note=_("Released: the adjustment was not made"))
        if adj is not None and adj.state in (BudgetAdjustment.State.DRAFT, BudgetAdjustment.State.PENDING):
            adj.state = BudgetAdjustment.State.RELEASED
            adj.save(update_fields=["state", "updated_at"])


# --- import -------------------------------------------------------------------------------------
def budget_import(*, year: int, file, actor) -> list[BudgetLine]:
    """Import a year's lines from the .xlsx template: all rows or none. A bad row rejects
    the whole file with BudgetImportError listing every bad row and why."""
    from . import xlsx

    if not selectors.can_manage_budget(actor):
        raise BudgetError(_("Only the finance office or an administrator may import budget lines."))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise BudgetError(_("Choose the year.")) from None
    if not 2000 <= year <= 2100:
        raise BudgetError(_("Choose the year."))
    parsed, errors = xlsx.parse_import(file, year=year)
    if errors:
        raise BudgetImportError(
            _("The file was not imported: %(n)s problem(s) found. Nothing was saved; correct the file and upload it again.")
            % {"n": len(errors)},
            errors,
        )
    lines = []
    for data in parsed:
        line = BudgetLine(year=year, **data)
        try:
            line.full_clean(validate_unique=False)
        except ValidationError as exc:  # pragma: no cover - parse_import already checks every field
            raise BudgetImportError(_("The file was not imported."), [(None, "; ".join(exc.messages))]) from None
        lines.append(line)
    with transaction.atomic():
        # a line created since the file was checked makes the whole import fail, not half of it
        keys = {(ln.unit_id, ln.project, ln.functional_code, ln.economic_code, ln.fund_source) for ln in lines}
        clash = BudgetLine.objects.filter(year=year, unit_id__in={k[0] for k in keys}).values_list(
            "unit_id", "project", "functional_code", "economic_code", "fund_source"
        )
        if any(tuple(c) in keys for c in clash):
            raise BudgetImportError(
                _("The file was not imported: some lines were created meanwhile. Nothing was saved."),
                [(None, _("Some lines already exist; download the table again and retry."))],
            )
        created = bulk_create_with_history(lines, BudgetLine, default_user=actor, batch_size=500)
    return created


# --- a case holding several lines (construction projects' funding) ------------------------------
def case_lines_arrange(*, case, amounts: dict, actor, note: str = "") -> list[str]:
    """An approved case (a construction project's 概算) arranges ``amounts`` ({line: amount})
    on several lines at once, idempotently: only the difference to what the case already
    holds on each line is reserved or released (stage arranged). Lines are locked in id order
    (``_lock_lines``) after whatever the caller locked; a hard line refuses a shortfall, a warn
    line records it. Returns the warnings recorded."""
    with transaction.atomic():
        wanted = {line.pk: _money(amount, what=_("The amount")) for line, amount in amounts.items()}
        lines = _lock_lines(set(wanted) | _held_line_ids(case))
        held = selectors.case_reservations(case)
        batch, warnings = uuid.uuid4(), []
        for line_id in sorted(lines):
            line = lines[line_id]
            current = sum((t for (lid, _s), t in held.items() if lid == line_id), ZERO)
            diff = wanted.get(line_id, ZERO) - current
            if diff > 0:
                warning = _check_room(line, diff)
                _row(line, K.RESERVE, diff, stage=St.ARRANGED, case=case, batch=batch, actor=actor,
                     note=note or _("Arranged by the approved form"), warning=warning)
                if warning:
                    warnings.append(warning)
            elif diff < 0:
                _case_line_release(case, line, -diff, held=held, actor=actor, batch=batch,
                                   note=_("Released: the amount was reduced"))
        return warnings


def _case_line_release(case, line: BudgetLine, amount: Decimal, *, held, actor, batch, note: str) -> Decimal:
    """Release up to ``amount`` of the case's reservation on the (locked) line, arranged part
    first. Returns what was released."""
    released = ZERO
    for stage in (St.ARRANGED, St.PENDING):
        part = min(amount - released, held.get((line.pk, stage), ZERO))
        if part > 0:
            _row(line, K.RELEASE, -part, stage=stage, case=case, batch=batch, actor=actor, note=note)
            released += part
    return released


def case_line_release(*, case, line: BudgetLine, amount, actor, note: str) -> Decimal:
    """Release up to ``amount`` the case holds on one line (a construction contract now
    commits that money itself). Returns what was released (0 when the case holds nothing)."""
    amount = _money(amount, what=_("The amount to release"))
    with transaction.atomic():
        line = _lock_lines([line.pk])[line.pk]
        return _case_line_release(case, line, amount, held=selectors.case_reservations(case), actor=actor,
                                  batch=uuid.uuid4(), note=note)


def case_lines_release(*, case, actor, note: str) -> Decimal:
    """Release everything the case holds on every line (a cancelled or closed project)."""
    with transaction.atomic():
        ids = _held_line_ids(case)
        if ids:
            _lock_lines(ids)
        return _release_case(case, actor=actor, batch=uuid.uuid4(), note=note)
