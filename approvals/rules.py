"""The contract between the risk rules and the apps whose data they read.

A rule lives with the data it reads: ``budget/rules.py`` holds the budget rules,
``approvals``' own are in ``approvals/risk_rules.py``, and so on. Each registers an instance
in its AppConfig.ready()::

    from approvals.rules import Finding, Param, Rule, register_rule

    class LineNearlyExhausted(Rule):
        code = "BUD-02"
        params = {"share": Param(Decimal("90"), _("used share (%)"), regulation="…")}
        def scan(self, params, scope=None):
            yield Finding(records=(("budget.budgetline", line.pk),), message=…, figures={…})

    register_rule(LineNearlyExhausted())

The risk app (which no app imports) runs every registered rule, stores, deduplicates and shows
the findings, and keeps each rule's settings (on/off, parameters, severity, block or warn on
the form) as rows the administrator edits; it installs itself here with ``set_settings_source``
so a form check and the nightly scan read the same parameters. Without the risk app every rule
runs with its defaults.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


class Severity:
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    CHOICES = (HIGH, MEDIUM, LOW)


@dataclass(frozen=True)
class Param:
    """One tunable figure of a rule, with where it comes from."""

    default: Any
    label: str
    regulation: str = ""  # the text it comes from, e.g. "政府采购法 第四十九条"; empty for a local choice
    effective: dt.date | None = None


@dataclass(frozen=True)
class Finding:
    """What a rule found: the records that triggered it (app_label.model, pk), a sentence a
    person can read, and the figures that crossed the threshold. Keyed by rule + records."""

    records: tuple[tuple[str, int], ...]
    message: str
    figures: dict = field(default_factory=dict)
    unit_id: int | None = None
    # what else tells two findings about the same records apart (e.g. the week of GOV-04)
    part: str = ""

    @property
    def key(self) -> str:
        key = "|".join(f"{label}:{pk}" for label, pk in sorted(self.records))
        return f"{key}#{self.part}" if self.part else key


@dataclass(frozen=True)
class Settings:
    enabled: bool
    severity: str
    mode: str  # "warn" | "block": what a form check does with a finding
    params: dict


class Rule:
    code: str = ""
    title: str = ""
    severity: str = Severity.MEDIUM
    params: dict[str, Param] = {}
    # events after which the rule runs for the records concerned (core.events names)
    events: tuple[str, ...] = ()
    # cheap rules also run hourly; every rule runs in the nightly scan
    hourly: bool = False
    # what a form check does with a finding until the administrator says otherwise: "warn" records
    # it in the trail with the submission, "block" refuses the submission (a limit set by law)
    mode: str = "warn"

    def scan(self, params: dict, scope: dict | None = None) -> Iterable[Finding]:
        """Every finding over the office (``scope`` None), or over the records an event named
        (``scope`` is the event's payload). Must only read."""
        return ()

    def check_draft(self, case, params: dict) -> list[Finding]:
        """What the case being filled would raise (事前/事中); [] when the rule cannot judge a draft."""
        return []

    def defaults(self) -> dict:
        return {name: p.default for name, p in self.params.items()}


_RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    if not rule.code or rule.severity not in Severity.CHOICES:
        raise ValueError(f"rule {rule!r}: needs a code and a severity of {Severity.CHOICES}")
    if rule.mode not in ("warn", "block"):
        raise ValueError(f"rule {rule.code}: mode must be 'warn' or 'block', not {rule.mode!r}")
    taken = _RULES.get(rule.code)
    if taken is not None and type(taken) is not type(rule):
        raise ValueError(f"rule code {rule.code} is already registered by {type(taken).__module__}")
    _RULES[rule.code] = rule
    return rule


def rules() -> dict[str, Rule]:
    return dict(sorted(_RULES.items()))


def get_rule(code: str) -> Rule | None:
    return _RULES.get(code)


def _default_settings(rule: Rule) -> Settings:
    return Settings(enabled=True, severity=rule.severity, mode=rule.mode, params=rule.defaults())


_settings_source: Callable[[Rule], Settings] = _default_settings


def set_settings_source(source: Callable[[Rule], Settings]) -> None:
    """The risk app installs its table-backed settings here."""
    global _settings_source
    _settings_source = source


def settings_of(rule: Rule) -> Settings:
    return _settings_source(rule)


_settings_many: Callable[[list[Rule]], dict[str, Settings]] | None = None


def set_settings_many(source: Callable[[list[Rule]], dict[str, Settings]]) -> None:
    """The risk app's settings of several rules at once (one query, for every submission)."""
    global _settings_many
    _settings_many = source


def settings_of_many(rules_: list[Rule]) -> dict[str, Settings]:
    if _settings_many is None:
        return {r.code: settings_of(r) for r in rules_}
    return _settings_many(rules_)


def judged_on(scope: dict | None) -> dt.date:
    """The day a rule judges: today, or the day a test or a back-dated scan names (``on``)."""
    from django.utils import timezone

    return (scope or {}).get("on") or timezone.localdate()


def draft_findings(case) -> list[tuple[Rule, Settings, Finding]]:
    """What the draft ``case`` raises under every enabled rule that can judge a draft. Runs on
    every submission: the settings of the rules that override ``check_draft`` are read at once."""
    found = []
    judging = [rule for rule in _RULES.values() if type(rule).check_draft is not Rule.check_draft]
    confs = settings_of_many(judging)
    for rule in judging:
        conf = confs[rule.code]
        if conf.enabled:
            found.extend((rule, conf, f) for f in rule.check_draft(case, conf.params))
    return found


# --- links to the records a warning names ------------------------------------------------------
_RECORD_PAGES: dict[str, str] = {}


def register_record_page(label: str, url_name: str) -> None:
    """The page of a record kind (``budget.budgetline`` → ``budget:line_detail``), taking its pk."""
    _RECORD_PAGES[label] = url_name


def record_page(label: str) -> str | None:
    return _RECORD_PAGES.get(label)
