from django.core.management.base import BaseCommand, CommandError

from approvals.trail import CheckpointError, check_against_checkpoint, read_checkpoint, verify_chain, write_checkpoint


class Command(BaseCommand):
    help = (
        "Recompute the trail's hash chain, compare its end with the signed checkpoint "
        "(TRAIL_CHECKPOINT) and, when everything holds, write a new checkpoint."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = read_checkpoint()
        except CheckpointError as exc:
            raise CommandError(f"trail checkpoint not trusted: {exc}") from exc
        checked, broken = verify_chain()
        if broken:
            raise CommandError(f"trail broken after {checked} good entries: {broken}")
        shortened = check_against_checkpoint(checkpoint)
        if shortened:
            raise CommandError(f"trail broken: {shortened}")
        body = write_checkpoint()
        self.stdout.write(self.style.SUCCESS(
            f"trail intact: {checked} entries verified; checkpoint written at entry {body['last_id']} ({body['count']} entries)"
        ))
