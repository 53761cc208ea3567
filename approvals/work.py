"""Every kind of work waiting on a person, in one inbox (待办).

The approvals engine knows its own work (forms to decide, a stage to fill next, a return to
fix, copies to read). Other apps plug theirs in without approvals importing them: the
payment desk registers the cashier's queue, contracts the acceptances a person is on the
team of. In the owning app's ``AppConfig.ready()``::

    from approvals import work

    work.register(work.WorkSource(
        key="pay", label=_("To pay"), order=30,
        shown_to=lambda user: ...,       # cheap, no query: may this person have such work?
        query=lambda user: Model.objects.filter(...),  # what waits, as a queryset; or
        count=lambda user: 3,            # one query (or a fixed few), never one per item
        items=lambda user, limit: [...], # at most ``limit`` WorkItem, in a fixed number of queries
    ))

A source shown to nobody (``shown_to`` False) costs no query. Sources that give a ``query``
are counted together in one SQL statement (one scalar subquery each), so the badge on every
page costs one query however many such sources are plugged in; ``count`` is for work whose
size needs Python (the payment desk compares caps with payments). The inbox shows one tab per
source with its count, and the navigation's badge is the sum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import IntegerField, Subquery


@dataclass(frozen=True)
class WorkItem:
    """One card of the inbox: what waits, for whom it was filed, since when, and what to do."""

    url: str
    number: str
    title: str
    what: str  # what is waiting, in the office's words: "待填写：合同", "待付款"
    applicant: str = ""
    unit: str = ""
    amount: str = ""  # formatted ("¥8,380.00"), empty for none
    since: datetime | None = None
    action: str = ""  # the button's label ("办理", "付款"); the card links to ``url``


@dataclass(frozen=True)
class WorkSource:
    key: str
    label: str
    count: Callable[[object], int] | None = None
    items: Callable[[object, int], list[WorkItem]] = lambda user, limit: []
    shown_to: Callable[[object], bool] = lambda user: True
    order: int = 50
    icon: str = "bi-inbox"
    extra: dict = field(default_factory=dict)
    query: Callable[[object], object] | None = None  # user -> QuerySet of what waits

    def __post_init__(self):
        if (self.count is None) == (self.query is None):
            raise ValueError(f"work source {self.key!r} needs exactly one of count and query")


class _CountOf(Subquery):
    """``(SELECT count(*) FROM (<queryset>) n)``: the size of a queryset as a column, correct
    for DISTINCT and sliced querysets too."""

    template = "(SELECT count(*) FROM (%(subquery)s) _n)"
    output_field = IntegerField()


_SOURCES: dict[str, WorkSource] = {}


def register(source: WorkSource) -> WorkSource:
    """Plug a kind of work in; a key taken by another source is refused (a typo or two apps
    claiming the same tab would hide one of them)."""
    if not isinstance(source, WorkSource):
        raise TypeError(f"{source!r} is not a WorkSource")
    if not source.key or not source.key.isidentifier():
        raise ValueError(f"a work source needs a plain key, not {source.key!r}")
    taken = _SOURCES.get(source.key)
    if taken is not None and (taken.count, taken.query) != (source.count, source.query):
        raise ValueError(f"work source {source.key!r} is already registered")
    _SOURCES[source.key] = source
    return source


def get(key: str) -> WorkSource | None:
    return _SOURCES.get(key)


def sources_for(user) -> list[WorkSource]:
    """The sources that may hold work for ``user``, in the inbox's order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((s for s in _SOURCES.values() if s.shown_to(user)), key=lambda s: (s.order, s.key))


class Counts:
    """The count of each source for one person, each computed once when first asked (the
    navigation, the tabs and the page share one instance per request)."""

    def __init__(self, user):
        self.user = user
        self.sources = sources_for(user)
        self._cache: dict[str, int] = {}

    def __getitem__(self, key: str) -> int:
        if key not in self._cache:
            source = next((s for s in self.sources if s.key == key), None)
            if source is None:
                self._cache[key] = 0
            elif source.query is not None:
                self._count_queries()
            else:
                self._cache[key] = source.count(self.user)
        return self._cache[key]

    def _count_queries(self) -> None:
        """Every ``query`` source of this person in one statement."""
        queried = {s.key: s.query(self.user) for s in self.sources if s.query is not None}
        columns = {f"n_{key}": _CountOf(qs.order_by().values("pk")) for key, qs in queried.items()}
        manager = self.user._meta.model._default_manager
        row = manager.filter(pk=self.user.pk).annotate(**columns).values(*columns).first() or {}
        for key in queried:
            self._cache[key] = row.get(f"n_{key}", 0)

    def get(self, key, default=0):
        return self[key]

    @property
    def total(self) -> int:
        return sum(self[s.key] for s in self.sources)

    def tabs(self) -> list[dict]:
        return [{"key": s.key, "label": s.label, "icon": s.icon, "count": self[s.key]} for s in self.sources]


def counts_for(user) -> Counts:
    """The person's counts, computed once per request: cached on the user object, which the
    authentication middleware makes afresh for every request."""
    cached = getattr(user, "_work_counts", None)
    if cached is None:
        cached = Counts(user)
        try:
            user._work_counts = cached
        except AttributeError:  # pragma: no cover - AnonymousUser has no __dict__ slot issues
            pass
    return cached


def total_count(user) -> int:
    """The navigation's inbox badge: all work waiting on the person."""
    return counts_for(user).total if getattr(user, "is_authenticated", False) else 0
