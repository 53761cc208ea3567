"""The office network has no internet: no template or own static file loads anything from
another host, and nothing inline that the content-security policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", ".git", "var", "build"}

EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])(?:https?:)?//""",
    re.IGNORECASE,
)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def templates() -> list[Path]:
    found = list(BASE_DIR.glob("templates/**/*.html"))
    found += [p for p in BASE_DIR.glob("*/templates/**/*.html") if p.relative_to(BASE_DIR).parts[0] not in SKIP_DIRS]
    return sorted(found)


def own_static() -> list[Path]:
    return sorted(p for p in BASE_DIR.glob("static/**/*") if p.suffix in {".css", ".js"} and "vendor" not in p.parts)


def _id(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


def test_templates_are_found():
    assert BASE_DIR / "templates/base.html" in templates()


@pytest.mark.parametrize("path", templates() + own_static(), ids=_id)
def test_no_reference_to_another_host(path):
    text = path.read_text(encoding="utf-8")
    assert EXTERNAL.findall(text) == []


@pytest.mark.parametrize("path", templates(), ids=_id)
def test_no_inline_script_style_or_handler(path):
    text = path.read_text(encoding="utf-8")
    assert INLINE_SCRIPT.findall(text) == []
    assert INLINE_STYLE_ATTR.findall(text) == []
    assert INLINE_HANDLER.findall(text) == []


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.jsdelivr.net/npm/htmx.org"></script>',
        "<link href='//fonts.googleapis.com/css' rel=stylesheet>",
        "background: url(https://example.com/a.png)",
        '@import "http://example.com/x.css";',
        '<img src=http://example.com/a.png>',
    ],
)
def test_the_check_catches_external_references(snippet):
    assert EXTERNAL.search(snippet)


def test_the_check_lets_local_references_through():
    local = '<link href="/static/vendor/bootstrap/bootstrap.min.css"> <a href="{% url \'home\' %}">' \
            ' <img src="data:image/png;base64,AAA"> url(/static/x.png) <a href="#top">'
    assert EXTERNAL.search(local) is None
