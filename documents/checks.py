"""Upload checks: size, extension and the file's real content (magic bytes) must agree;
executables and scripts are refused whatever their name says. The one implementation for
every file of the system."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

# extension -> (content type, accepted leading bytes)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
ALLOWED = {
    ".pdf": ("application/pdf", [b"%PDF-"]),
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".png": ("image/png", [b"\x89PNG\r\n\x1a\n"]),
    ".doc": ("application/msword", [_OLE]),
    ".xls": ("application/vnd.ms-excel", [_OLE]),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [_ZIP]),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [_ZIP]),
    ".ofd": ("application/ofd", [_ZIP]),
}
_EXECUTABLE = [b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"<script", b"<?php"]


def check_upload(f) -> dict:
    """Validate an UploadedFile; return its facts (original name, extension, content type,
    size, sha256). Raises ValidationError with a message a person can read."""
    name = Path(f.name or "").name
    ext = Path(name).suffix.lower()
    if f.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": name}, code="empty")
    if f.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file “%(name)s” is %(size).1f MB; at most %(max)d MB is allowed.")
            % {"name": name, "size": f.size / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    if ext not in ALLOWED:
        raise ValidationError(
            _("Files of type “%(ext)s” are not accepted. Allowed: PDF, JPG, PNG, Word, Excel, OFD.")
            % {"ext": ext or name},
            code="bad_type",
        )
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    if any(head.startswith(sig) for sig in _EXECUTABLE):
        raise ValidationError(_("The file “%(name)s” is a program or script and is refused.") % {"name": name}, code="executable")
    content_type, signatures = ALLOWED[ext]
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            _("The content of “%(name)s” is not a real %(ext)s file.") % {"name": name, "ext": ext}, code="mislabelled"
        )
    digest = hashlib.sha256()
    for chunk in f.chunks():
        digest.update(chunk)
    f.seek(0)
    return {"original_name": name[:255], "extension": ext, "content_type": content_type, "size": f.size, "sha256": digest.hexdigest()}
