"""No admin list joins every foreign key of its model. With ``list_select_related = False``
Django's change list calls a bare ``select_related()`` as soon as a foreign key is in
``list_display``: it follows every non-null foreign key recursively (the contract payment
list joined 23 tables), which PostgreSQL plans with its genetic optimiser; on the embedded
PostgreSQL 18 one such plan ran for minutes. Every admin names what its list needs."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse


def _foreign_keys_listed(model, model_admin):
    names = []
    for name in model_admin.list_display:
        try:
            field = model._meta.get_field(name)
        except Exception:  # a method or a property
            continue
        if isinstance(field, models.ForeignKey):
            names.append(name)
    return names


def test_every_admin_list_names_the_relations_it_joins():
    offenders = {
        model._meta.label_lower: fks
        for model, model_admin in admin.site._registry.items()
        if (fks := _foreign_keys_listed(model, model_admin)) and model_admin.list_select_related in (False, True)
    }
    assert offenders == {}


@pytest.mark.django_db
def test_the_contract_payment_list_joins_only_what_it_shows(client, office, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(office.admin)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("admin:contracts_payment_changelist")).status_code == 200
    listing = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "contracts_payment"."id"')]
    assert listing and all(sql.count(" JOIN ") <= 4 for sql in listing), [sql.count(" JOIN ") for sql in listing]
