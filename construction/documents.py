"""Who may read, add and remove the files of a project and of its progress reports (photos)."""

from __future__ import annotations

from documents.registry import Owner

from . import permissions
from .models import DocKind, ProgressReport, Project


def _add(user, owner, kind: str) -> str:
    project = owner if isinstance(owner, Project) else owner.project
    if not permissions.can_change(user, project):
        from django.utils.translation import gettext as _

        return _("Only the project's unit or the works department may add files to the project.")
    return ""


def _delete(user, document) -> str:
    from django.utils.translation import gettext as _

    if document.uploaded_by_id != user.pk:
        return _("Only the person who uploaded a file may remove it.")
    return _add(user, document.owner, document.kind)


OWNERS = [
    Owner(model=Project, key="project", kinds={k.value: k.label for k in DocKind},
          can_read=permissions.can_read, can_add=_add, can_delete=_delete),
    Owner(model=ProgressReport, key="progress_report", kinds={DocKind.PHOTO.value: DocKind.PHOTO.label},
          can_read=lambda user, report: permissions.can_read(user, report.project), can_add=_add, can_delete=_delete),
]
