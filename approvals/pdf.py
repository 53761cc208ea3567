"""The printed form (呈批单) as PDF, with Chinese glyphs.

WeasyPrint embeds only the glyphs used (subsetting), but it still parses the whole font
file: a 4.5 MB CJK font costs about a second per document. We name a small font first
(WenQuanYi Micro Hei, ~5 MB TTC; fonts-wqy-microhei) and keep Noto Sans CJK as the
fallback so a rare character in a name still renders."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .selectors import case_page

_FONT_CONFIG = None


def _font_config():
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def render_case_pdf(case, *, request=None) -> bytes:
    from weasyprint import HTML

    page = case_page(case)
    html = render_to_string(
        "approvals/case_print.html",
        {"case": case, **page, "printed_at": timezone.localtime(), "office_name": settings.OFFICE_NAME},
        request=None,
    )
    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf(font_config=_font_config())
