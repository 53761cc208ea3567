"""The budget app's Chinese catalogue is complete and compiled."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "budget" / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_catalogue_is_complete_without_fuzzy_entries():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert not po.metadata_is_fuzzy
    untranslated = [e.msgid for e in po if not (e.msgstr or any(e.msgstr_plural.values()))]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert untranslated == [] and fuzzy == []
    assert len(po) > 200


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po if e.msgid}
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo if e.msgid}
    assert compiled == source
