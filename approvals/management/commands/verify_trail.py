from django.core.management.base import BaseCommand, CommandError

from approvals.trail import verify_chain


class Command(BaseCommand):
    help = "Recompute the trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken:
            raise CommandError(f"trail broken after {checked} good entries: {broken}")
        self.stdout.write(self.style.SUCCESS(f"trail intact: {checked} entries verified"))
