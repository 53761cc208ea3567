"""Download, preview, upload, replacement and removal of any file; who may do what is the
owner's registered rule."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from . import registry, services
from .exceptions import DocumentError
from .forms import ReplaceForm, UploadForm
from .models import PREVIEWABLE, Document

# The policy of a file opened in the browser: nothing of it may run or load anything but itself.
# No ``sandbox``: Chrome refuses to start its PDF viewer in a sandboxed document; its viewer lays
# out the page with inline styles and embeds the file (style-src, object-src).
PREVIEW_POLICY = {
    "default-src": [NONE],
    "img-src": [SELF, "data:"],
    "style-src": [UNSAFE_INLINE],
    "object-src": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [SELF],
}


def _safe_next(request, fallback: str = "/") -> str:
    for candidate in (request.POST.get("next") or "", request.META.get("HTTP_REFERER") or ""):
        if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure()):
            return candidate
    return fallback


def _readable(user, pk) -> Document:
    """The document (any version) if its owner lets ``user`` read it; 404 otherwise (also for
    an owner no app registered)."""
    doc = get_object_or_404(Document.all_versions.select_related("owner_type"), pk=pk)
    if not registry.may_read(user, doc.owner):
        raise Http404
    return doc


def _form_errors(form) -> str:
    return " ".join(e for errs in form.errors.values() for e in errs)


def _file_response(doc: Document, *, inline: bool):
    content_type = PREVIEWABLE[doc.extension.lower()] if inline else doc.content_type
    response = FileResponse(doc.file.open("rb"), as_attachment=not inline, filename=doc.original_name,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def download(request, pk: int):
    return _file_response(_readable(request.user, pk), inline=False)


@require_GET
@csp(PREVIEW_POLICY)
@xframe_options_sameorigin
def preview(request, pk: int):
    """PDFs and images open in the browser; any other type is downloaded as from ``download``."""
    doc = _readable(request.user, pk)
    return _file_response(doc, inline=doc.previewable)


@require_POST
def upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_safe_next(request))
    d = form.cleaned_data
    model = registry.model_for_key(d["owner"])
    owner = model.objects.filter(pk=d["owner_id"]).first() if model is not None else None
    if owner is None or not registry.may_read(request.user, owner):
        raise Http404
    try:
        docs = services.attach_many(owner=owner, uploads=d["file"], kind=d["kind"], actor=request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        names = "、".join(doc.original_name for doc in docs)
        messages.success(request, ngettext("File uploaded: %(names)s", "%(n)d files uploaded: %(names)s", len(docs))
                         % {"n": len(docs), "names": names})
    return redirect(_safe_next(request))


@require_POST
def replace(request, pk: int):
    doc = _readable(request.user, pk)
    form = ReplaceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_safe_next(request))
    try:
        new = services.replace(document=doc, upload=form.cleaned_data["file"], actor=request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(old)s” replaced by “%(new)s”; the earlier version is kept in its history.")
                         % {"old": doc.original_name, "new": new.original_name})
    return redirect(_safe_next(request))


@require_POST
def delete(request, pk: int):
    doc = _readable(request.user, pk)
    try:
        earlier = services.delete(doc, request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        if earlier is not None:
            messages.success(request, _("File removed; the earlier version “%(name)s” is current again.")
                             % {"name": earlier.original_name})
        else:
            messages.success(request, _("File removed."))
    return redirect(_safe_next(request))
