"""Who may read, add, replace and remove the materials of a form (documents owned by a case),
and the trail entry of each change.

A material is in front of the approvers from the moment the form is submitted: after that it
stays on record. While the form is back with its applicant (a draft of the next stage, or
returned) a material of the stage being filled may be replaced by a corrected file — the
submitted version is kept as its history — and one added since the form came back (never
seen by an approver) may be removed."""

from __future__ import annotations

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from documents.registry import Owner

from .models import Action, Case
from .permissions import can_view_case

OTHER_KIND = "其他材料"
MINUTES_KIND = "会议纪要"
# the moments a form's materials went before the approvers, or the form came back to its applicant
_SEEN = (Action.Kind.SUBMIT, Action.Kind.RESUBMIT, Action.Kind.RETURN, Action.Kind.STAGE)


def _marks(case: Case) -> dict:
    """When the form was last in front of the approvers (or came back) and when its current
    stage began; one query, kept on the case object for the page that asks per file."""
    marks = getattr(case, "_document_marks", None)
    if marks is None:
        marks = Action.objects.filter(case_id=case.pk).aggregate(
            seen=Max("created_at", filter=Q(kind__in=_SEEN)), stage=Max("created_at", filter=Q(kind=Action.Kind.STAGE)),
        )
        case._document_marks = marks
    return marks


def seen_by_approvers(case: Case, document) -> bool:
    """The file was there when the form was submitted (or returned): it is on record."""
    seen = _marks(case)["seen"]
    return seen is not None and document.uploaded_at <= seen


def of_approved_stage(case: Case, document) -> bool:
    """The file came with a stage already approved (before the current stage began)."""
    began = _marks(case)["stage"]
    return began is not None and document.uploaded_at <= began


def _with_applicant(user, case: Case) -> bool:
    return case.applicant_id == user.pk and case.status in (Case.Status.DRAFT, Case.Status.RETURNED)


def can_read(user, case: Case) -> bool:
    return can_view_case(user, case)


def can_add(user, case: Case, kind: str) -> str:
    # the minutes come with a leader's decision through case_approve, never through this rule
    if kind == MINUTES_KIND or case.applicant_id != user.pk or not case.is_open:
        return _("Only the applicant may add materials while the form is open.")
    required = case.matter.required_attachments
    if required and kind not in (*required, OTHER_KIND):
        return _("This kind of file does not belong here.")
    return ""


def can_replace(user, document) -> str:
    case = document.owner
    if document.kind == MINUTES_KIND:
        return _("The meeting minutes come with the decision and stay with it.")
    if not _with_applicant(user, case):
        return _("Materials can be replaced by the applicant while the form is a draft or returned to them.")
    if of_approved_stage(case, document):
        return _("“%(name)s” belongs to a stage already approved; it cannot be replaced.") % {"name": document.original_name}
    return ""


def can_delete(user, document) -> str:
    case = document.owner
    if document.kind == MINUTES_KIND:
        return _("The meeting minutes come with the decision and stay with it.")
    if not _with_applicant(user, case):
        return _("Materials can be removed by the applicant while the form is a draft or returned to them.")
    if seen_by_approvers(case, document):
        return submitted_refusal(document)
    return ""


def submitted_refusal(document) -> str:
    return _("“%(name)s” was submitted with the form and stays on record; replace it with a corrected file instead "
             "(the submitted version is kept in its history).") % {"name": document.original_name}


def lock(case: Case) -> Case:
    """The case under its row lock, as every transition takes it (approvals.services)."""
    return Case.objects.select_for_update(of=("self",)).select_related("matter", "unit", "applicant").get(pk=case.pk)


def on_change(*, event, document, previous, actor) -> None:
    from .services import case_document_changed

    case_document_changed(case=document.owner, event=event, document=document, previous=previous, actor=actor)


# a form's materials are named by its matter (required attachments), so the rule judges the kind
OWNER = Owner(model=Case, key="case", kinds=None, can_read=can_read, can_add=can_add, can_delete=can_delete,
              can_replace=can_replace, lock=lock, on_change=on_change)
