"""Which of the given cases have no approval in the trail? (``python tests/faults/approved_steps.py
<case id>...`` with DATABASE_URL set; prints one JSON object.) A case listed here had an
approval acknowledged by the app (its redirect) before a fault."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(ids: list[int]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "neiqiao.settings")
    import django

    django.setup()
    from approvals.models import Action

    have = set(Action.objects.filter(case_id__in=ids, kind=Action.Kind.APPROVE).values_list("case_id", flat=True))
    print(json.dumps({"checked": len(ids), "missing": sorted(set(ids) - have)}))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
