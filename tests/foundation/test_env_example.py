"""Every setting read from the environment is documented in .env.example and the README."""

import re
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
READ = re.compile(r"""(?:env(?:\.\w+)?|env_secret|os\.environ\.get|os\.environ)[(\[]\s*["']([A-Z][A-Z0-9_]+)["']""")


def settings_read() -> set[str]:
    names = set()
    for path in (BASE_DIR / "neiqiao").glob("*.py"):
        names |= set(READ.findall(path.read_text(encoding="utf-8")))
    return names - {"DJANGO_SETTINGS_MODULE", "XDG_RUNTIME_DIR"}


def test_settings_read_the_expected_names():
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CELERY_BROKER_URL"} <= settings_read()


def test_env_example_names_every_setting():
    text = (BASE_DIR / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    assert settings_read() - named == set()


def test_readme_settings_table_names_every_setting():
    text = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert {name for name in settings_read() if f"`{name}`" not in text} == set()
