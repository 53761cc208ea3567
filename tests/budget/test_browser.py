"""The budget page in a real browser (Debian's Chromium): the ECharts charts draw from our
own script under the content-security policy, and the export page follows a background
job through htmx until the download link appears."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from budget import services
from budget.models import ExportJob

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_charts_draw_under_the_content_security_policy(page, office, lines):
    services.budget_execute(line=lines.hard, amount=Decimal("2500.00"), source=office.unit)
    errors = _watch_errors(page)
    _sign_in(page, office.finance_reviewer, office.password)
    page.goto(reverse("budget:index"))
    for chart in ("#chart-units", "#chart-months"):
        page.wait_for_selector(f"{chart} canvas")
        box = page.locator(f"{chart} canvas").first.bounding_box()
        assert box["width"] > 100 and box["height"] > 200
    assert page.get_by_test_id("execution-table").is_visible()
    assert errors == []


def test_export_page_polls_until_the_file_is_ready(page, office, lines, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(user=office.finance_reviewer, params={"year": lines.hard.year}, total=5, done=2,
                                   status=ExportJob.Status.RUNNING)
    errors = _watch_errors(page)
    _sign_in(page, office.finance_reviewer, office.password)
    page.goto(reverse("budget:export_job", args=[job.pk]))
    assert "2 / 5" in page.get_by_test_id("export-progress").inner_text()
    # the worker finishes meanwhile
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)
    from budget.exports import export_job_run

    export_job_run(job_id=job.pk)
    page.get_by_test_id("download").wait_for(timeout=10_000)
    with page.expect_download() as info:
        page.get_by_test_id("download").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    assert errors == []
