"""The end of the trail is anchored: deleting the newest entries (which leaves a shorter chain
that still links up) is reported against the signed checkpoint that verify_trail and the beat
task write outside the database; a checkpoint edited by hand or signed with another key is
not trusted."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from approvals import tasks, trail
from approvals.models import Action
from tests.dba import going_around_triggers

from .conftest import approve_all

pytestmark = pytest.mark.django_db


def _drop_newest(n: int) -> list[int]:
    newest = list(Action.objects.order_by("-id").values_list("id", flat=True)[:n])
    with going_around_triggers():  # a DBA going around the app
        Action.objects.filter(pk__in=newest).delete()
    return newest


def test_verify_trail_writes_a_signed_checkpoint_of_the_newest_entry(settings, make_case, capsys):
    approve_all(make_case("20000"))
    call_command("verify_trail")
    assert "checkpoint written" in capsys.readouterr().out
    body = json.loads(Path(settings.TRAIL_CHECKPOINT).read_text())["body"]
    newest = Action.objects.order_by("-id").first()
    assert (body["count"], body["last_id"], body["last_hash"]) == (Action.objects.count(), newest.pk, newest.hash)


def test_deleting_the_newest_entries_is_reported_as_a_shortened_chain(make_case, capsys):
    approve_all(make_case("500"))
    call_command("verify_trail")  # anchors the end
    gone = _drop_newest(2)
    # the chain itself still links up: only the anchor can tell
    assert trail.verify_chain()[1] is None
    with pytest.raises(CommandError) as exc:
        call_command("verify_trail")
    assert "chain shortened" in str(exc.value) and f"entry {max(gone)}" in str(exc.value)


def test_the_beat_task_anchors_entries_written_since_the_last_verify(make_case):
    case = make_case("500")
    call_command("verify_trail")
    approve_all(case)  # new entries after the checkpoint
    assert tasks.checkpoint_trail.delay().get() == Action.objects.count()
    _drop_newest(1)
    with pytest.raises(CommandError, match="chain shortened"):
        call_command("verify_trail")


def test_new_entries_after_a_checkpoint_keep_the_trail_intact(make_case, capsys):
    case = make_case("500")
    call_command("verify_trail")
    approve_all(case)
    call_command("verify_trail")
    assert "trail intact" in capsys.readouterr().out


def test_a_checkpoint_edited_by_hand_is_not_trusted(settings, make_case):
    approve_all(make_case("500"))
    call_command("verify_trail")
    _drop_newest(1)
    path = Path(settings.TRAIL_CHECKPOINT)
    data = json.loads(path.read_text())
    newest = Action.objects.order_by("-id").first()
    # someone rewrites the anchor to match the shortened chain, without the key
    data["body"].update(count=Action.objects.count(), last_id=newest.pk, last_hash=newest.hash)
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="not trusted"):
        call_command("verify_trail")
    path.write_text("not json")
    with pytest.raises(CommandError, match="unreadable"):
        call_command("verify_trail")


def test_a_checkpoint_signed_with_another_key_is_not_trusted(settings, make_case):
    approve_all(make_case("500"))
    call_command("verify_trail")
    settings.TRAIL_KEY = "another-key"
    with pytest.raises(CommandError, match="not trusted"):
        call_command("verify_trail")


def test_the_anchor_never_moves_backwards(settings, make_case):
    approve_all(make_case("500"))
    first = trail.write_checkpoint()
    _drop_newest(1)
    with pytest.raises(trail.CheckpointError, match="fewer than"):
        tasks.checkpoint_trail.delay().get()
    assert json.loads(Path(settings.TRAIL_CHECKPOINT).read_text())["body"] == first


def test_an_empty_trail_without_a_checkpoint_is_intact(capsys):
    call_command("verify_trail")
    assert "trail intact: 0 entries" in capsys.readouterr().out
