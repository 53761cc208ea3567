"""Payment deadlines of small and medium enterprises (付款期限), as the desk shows them.

《保障中小企业款项支付条例》（2025年修订，国务院令第802号，2025年6月1日起施行）:

* 第九条第一款: 机关、事业单位从中小企业采购货物、工程、服务，应当自货物、工程、服务交付之日起30日内
  支付款项；合同另有约定的，从其约定，但付款期限最长不得超过60日。
* 第十条第一款: 约定以货物、工程、服务交付后经检验或者验收合格作为支付中小企业款项条件的，付款期限
  应当自检验或者验收合格之日起算。

The regulation counts 日 (calendar days); a rule row that names working days is counted
with ``core.workcalendar``. The rule applied is the row in force on the day the deadline
starts (``PaymentDeadline``, edited in the administration); without any row, the 2025 text.
A source tells when each case's deadline starts (``registry.DueFrom``): the acceptance of
a contract milestone, the award of a purchase without a contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core import workcalendar

from .models import PaymentDeadline

DEFAULT = PaymentDeadline(
    days=30, max_agreed_days=60, day_kind=PaymentDeadline.DayKind.CALENDAR,
    regulation="《保障中小企业款项支付条例》（2025年修订，国务院令第802号）第九条第一款、第十条",
    effective_from=dt.date(2025, 6, 1),
)


@dataclass(frozen=True)
class Due:
    start: dt.date
    why: str
    date: dt.date
    days: int
    day_kind: str
    regulation: str

    def days_left(self, today: dt.date) -> int:
        """Days until the due date (negative: overdue), counted as the rule counts them."""
        if self.day_kind == PaymentDeadline.DayKind.WORKING:
            if today <= self.date:
                return workcalendar.workdays_between(today, self.date)
            return -workcalendar.workdays_between(self.date, today)
        return (self.date - today).days

    def overdue(self, today: dt.date) -> bool:
        return today > self.date


def rules() -> list[PaymentDeadline]:
    """Every rule row, newest first (a small table, read once per page)."""
    return list(PaymentDeadline.objects.order_by("-effective_from", "-id"))


def rule_on(day: dt.date, rows: list[PaymentDeadline] | None = None) -> PaymentDeadline:
    for row in rows if rows is not None else rules():
        if row.in_force(day):
            return row
    return DEFAULT


def due(start, rows: list[PaymentDeadline] | None = None) -> Due:
    """The due date of a deadline starting as ``start`` (a ``registry.DueFrom``) says."""
    rule = rule_on(start.day, rows)
    days = rule.days
    if start.agreed_days:
        days = min(start.agreed_days, rule.max_agreed_days)
    if rule.day_kind == PaymentDeadline.DayKind.WORKING:
        date = workcalendar.add_workdays(start.day, days)
    else:
        date = start.day + dt.timedelta(days=days)
    return Due(start=start.day, why=start.why, date=date, days=days, day_kind=rule.day_kind, regulation=rule.regulation)
