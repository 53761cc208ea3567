"""The construction kinds of the chain view (``core.chain``): the project (建设项目) between its
initiation case and funding lines before it and its contracts and change orders after it. Who
may see a project is construction's own rule (``permissions.can_read``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.money import format_yuan
from core.chain import ORDER_PROJECT, Detail, Kind, Node, register_kind, register_links

from . import permissions
from .models import ChangeOrder, Project, ProjectContract, ProjectFunding


def _projects(ids):
    return Project.objects.filter(pk__in=ids).select_related("unit")


def _project(p: Project) -> Node:
    details = [Detail(_("Investment estimate"), format_yuan(p.estimate))]
    if p.approved_budget is not None:
        details.append(Detail(_("Approved 概算"), format_yuan(p.approved_budget)))
    return Node(number=p.number, title=p.name, url=reverse("construction:detail", args=[p.pk]),
                state=p.get_status_display(), amount=p.approved_budget or p.estimate, date=p.initiated_on,
                details=tuple(details), file_owners=(p,))


def _visible(user, projects) -> set[int]:
    try:
        units = permissions.scope(user)
    except PermissionDenied:
        return set()
    return {p.pk for p in projects if units is None or p.unit_id in units}


def _project_up(projects):
    ids = [p.pk for p in projects]
    for p in projects:
        if p.case_id:
            yield p.pk, "case", p.case_id
    for project_id, line_id in ProjectFunding.objects.filter(project_id__in=ids).order_by().values_list(
            "project_id", "budget_line_id"):
        yield project_id, "budget_line", line_id


def _project_down(projects):
    ids = [p.pk for p in projects]
    for project_id, contract_id in ProjectContract.objects.filter(project_id__in=ids).order_by().values_list(
            "project_id", "contract_id"):
        yield project_id, "contract", contract_id
    for project_id, case_id in ChangeOrder.objects.filter(project_id__in=ids, case__isnull=False).order_by() \
            .values_list("project_id", "case_id"):
        yield project_id, "case", case_id


def _case_to_project(cases):
    ids = [c.pk for c in cases]
    for pk, case_id in Project.objects.filter(case_id__in=ids).order_by().values_list("pk", "case_id"):
        yield case_id, "project", pk


def _contract_to_project(contracts):
    ids = [c.pk for c in contracts]
    for contract_id, project_id in ProjectContract.objects.filter(contract_id__in=ids).order_by().values_list(
            "contract_id", "project_id"):
        yield contract_id, "project", project_id


def register() -> None:
    register_kind(Kind(key="project", label=gettext_lazy("Construction project"), order=ORDER_PROJECT,
                       fetch=_projects, describe=_project, can_view=permissions.can_read, visible=_visible))
    register_links("project", up=_project_up, down=_project_down)
    register_links("case", down=_case_to_project)
    register_links("contract", up=_contract_to_project)
