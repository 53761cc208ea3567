"""A form field of table rows (quotes, payment terms) that fits in one case-section form:
inputs are named ``<name>-<row>-<column>``, blank rows are ignored, and each error names
its row and column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _


@dataclass
class Column:
    name: str
    label: str
    field: forms.Field
    kind: str = "text"  # text | money | date | select | percent
    width: str = ""
    choices: list = field(default_factory=list)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


class RowsWidget(forms.Widget):
    template_name = "procurement/widgets/rows.html"

    def __init__(self, columns: list[Column], *, min_rows: int = 3, extra: int = 2, max_rows: int = 30, attrs=None):
        super().__init__(attrs)
        self.columns = columns
        self.min_rows = min_rows
        self.extra = extra
        self.max_rows = max_rows

    def value_from_datadict(self, data, files, name):
        rows = []
        for i in range(self.max_rows):
            keys = [f"{name}-{i}-{c.name}" for c in self.columns]
            if not any(k in data for k in keys):
                break
            rows.append({c.name: (data.get(k) or "").strip() for c, k in zip(self.columns, keys)})
        return rows

    def value_omitted_from_data(self, data, files, name):
        return not any(k.startswith(f"{name}-") for k in data)

    def format_value(self, value):
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = [{c.name: _as_text(r.get(c.name)) for c in self.columns} for r in (value or []) if isinstance(r, dict)]
        total = min(self.max_rows, max(self.min_rows, len(rows) + self.extra))
        rows += [{c.name: "" for c in self.columns} for _ in range(total - len(rows))]
        columns = []
        for c in self.columns:
            choices = []
            if c.kind == "select":
                choices = [(_as_text(v), str(label)) for v, label in c.field.choices]
            columns.append({"name": c.name, "label": c.label, "kind": c.kind, "width": c.width, "choices": choices,
                            "required": c.field.required})
        context["widget"]["columns"] = columns
        context["widget"]["rows"] = [
            {"index": i, "cells": [{"name": f"{name}-{i}-{c.name}", "value": row[c.name], "column": col}
                                    for c, col in zip(self.columns, columns)]}
            for i, row in enumerate(rows)
        ]
        return context


class RowsField(forms.Field):
    """Cleans to a list of dicts (one per non-blank row) of each column's cleaned value."""

    def __init__(self, *, columns: list[Column], min_rows: int = 3, extra: int = 2, max_rows: int = 30, **kwargs):
        self.columns = columns
        kwargs.setdefault("required", False)
        super().__init__(widget=RowsWidget(columns, min_rows=min_rows, extra=extra, max_rows=max_rows), **kwargs)

    def prepare_value(self, value):
        return value

    def to_python(self, value):
        return value or []

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        rows = self.to_python(value)
        cleaned, errors = [], []
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or all(not (row.get(c.name) or "") for c in self.columns):
                continue
            out = {}
            for c in self.columns:
                try:
                    out[c.name] = c.field.clean(row.get(c.name, ""))
                except ValidationError as exc:
                    for msg in exc.messages:
                        errors.append(_("Row %(n)d, %(column)s: %(error)s") % {"n": n, "column": c.label, "error": msg})
            out["_row"] = n
            cleaned.append(out)
        if errors:
            raise ValidationError(errors)
        self.validate(cleaned)
        return cleaned
