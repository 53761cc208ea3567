"""Fill a gettext catalogue from a JSON map {msgid: msgstr} and report what is still missing.

    .venv/bin/python scripts/po_fill.py approvals/locale/zh_Hans/LC_MESSAGES/django.po translations.json
"""

import json
import sys

import polib


def main(po_path: str, json_path: str) -> int:
    po = polib.pofile(po_path)
    table = json.load(open(json_path, encoding="utf-8"))
    for entry in po:
        if entry.msgid in table:
            value = table[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    missing = [e.msgid for e in po if not (e.msgstr or any(e.msgstr_plural.values())) or "fuzzy" in e.flags]
    for m in missing:
        print("MISSING:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
