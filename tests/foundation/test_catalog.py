"""The Chinese catalogs are complete: every catalog under locale/ and <app>/locale/ has a
translation for every entry, none fuzzy, and no interface string is missing from them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

BASE_DIR = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", ".git", "var", "build", "static"}


def catalogs() -> list[Path]:
    found = sorted(BASE_DIR.glob("locale/*/LC_MESSAGES/django.po"))
    found += sorted(
        p for p in BASE_DIR.glob("*/locale/*/LC_MESSAGES/django.po") if p.relative_to(BASE_DIR).parts[0] not in SKIP_DIRS
    )
    return found


def problems(path: Path) -> list[str]:
    po = polib.pofile(str(path))
    return [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries() if not e.obsolete] + [
        f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries() if not e.obsolete
    ]


def test_the_project_catalog_exists():
    assert BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po" in catalogs()


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_catalog_has_no_untranslated_or_fuzzy_entry(po):
    assert problems(po) == []


def test_the_check_sees_untranslated_fuzzy_and_plural_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Done"\nmsgstr "完成"\n\n'
        'msgid "Missing"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Guess %(n)s"\nmsgstr "猜 %(n)s"\n\n'
        'msgid "one form"\nmsgid_plural "%(n)s forms"\nmsgstr[0] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    assert sorted(problems(po)) == ["fuzzy: 'Guess %(n)s'", "untranslated: 'Missing'", "untranslated: 'one form'"]


def test_compiled_catalog_is_used_for_the_interface():
    with translation.override("zh-hans"):
        assert gettext("Inbox") == "待办"
        assert gettext("My applications") == "我的申请"
        assert gettext("Leader in charge") == "分管领导"


FOUNDATION_IGNORES = [
    ".venv", "node_modules", "tests", "bench", "var", "build", "static",
    "approvals", "budget", "procurement", "contracts", "construction", "assets", "accounting", "risk",
]


def _catalog_owner(po: Path) -> str:
    """'locale' for the project catalog, else the app directory that keeps its own."""
    return po.relative_to(BASE_DIR).parts[0]


def _fresh_catalogs(tmp_path: Path) -> list[Path]:
    """Extract every catalog afresh from a copy of the sources, the way the README says
    (`make catalogs`), and return the merged .po files."""
    if not shutil.which("xgettext"):
        pytest.fail("gettext is not installed: run the suite with `make test`.")
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(BASE_DIR)}
    app_catalogs = sorted({_catalog_owner(p) for p in catalogs()} - {"locale"})
    ignores = sorted(set(FOUNDATION_IGNORES) | set(app_catalogs))
    skip = set(ignores) | {".git"}
    root = tmp_path / "project"
    shutil.copytree(BASE_DIR, root, ignore=lambda d, names: [n for n in names if Path(d) == BASE_DIR and n in skip])
    runs = [
        (
            root,
            [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"]
            + [f"--ignore={name}" for name in ignores],
            # makemessages needs the settings but not the database
            {**env, "DEBUG": "1", "DATABASE_URL": "postgres://unused@127.0.0.1:1/unused"},
        )
    ]
    # django-admin, not `python -m django`: with -m the app folder would come first on sys.path, and an
    # app module named like a standard one (selectors.py) would shadow it.
    django_admin = [str(Path(sys.executable).parent / "django-admin"), "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"]
    for app in app_catalogs:
        shutil.copytree(BASE_DIR / app, tmp_path / app)
        runs.append((tmp_path / app, django_admin, env))  # no settings: the app's own locale/ only
    for cwd, cmd, run_env in runs:
        result = subprocess.run(cmd, cwd=cwd, env=run_env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, f"{cwd.name}: {result.stderr}"
    return [root / "locale/zh_Hans/LC_MESSAGES/django.po"] + [
        tmp_path / app / "locale/zh_Hans/LC_MESSAGES/django.po" for app in app_catalogs
    ]


def test_every_interface_string_is_in_a_catalog(tmp_path):
    """A string added to a template or module without running `make catalogs` and translating it fails here."""
    report = {str(po.relative_to(tmp_path)): problems(po) for po in _fresh_catalogs(tmp_path)}
    assert report == {name: [] for name in report}
