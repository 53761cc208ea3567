"""Download, upload and removal of any file; who may do what is the owner's registered rule."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import registry, services
from .exceptions import DocumentError
from .forms import UploadForm
from .models import Document


def _safe_next(request, fallback: str = "/") -> str:
    for candidate in (request.POST.get("next") or "", request.META.get("HTTP_REFERER") or ""):
        if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
            return candidate
    return fallback


def _readable(user, pk) -> Document:
    """The document if its owner lets ``user`` read it; 404 otherwise (also for an owner no app registered)."""
    doc = get_object_or_404(Document.objects.select_related("owner_type"), pk=pk)
    if not registry.may_read(user, doc.owner):
        raise Http404
    return doc


@require_GET
def download(request, pk: int):
    doc = _readable(request.user, pk)
    response = FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name, content_type=doc.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(_safe_next(request))
    d = form.cleaned_data
    model = registry.model_for_key(d["owner"])
    owner = model.objects.filter(pk=d["owner_id"]).first() if model is not None else None
    if owner is None or not registry.may_read(request.user, owner):
        raise Http404
    try:
        services.attach(owner=owner, upload=d["file"], kind=d["kind"], actor=request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File uploaded: %(name)s") % {"name": d["file"].name})
    return redirect(_safe_next(request))


@require_POST
def delete(request, pk: int):
    doc = _readable(request.user, pk)
    try:
        services.delete(doc, request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("File removed."))
    return redirect(_safe_next(request))
