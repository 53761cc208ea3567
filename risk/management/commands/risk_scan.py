from django.core.management.base import BaseCommand, CommandError

from risk.engine import scan
from risk.models import Run


class Command(BaseCommand):
    help = "Run the risk rules now (all of them, or --hourly for the cheap ones) and report each rule's figures."

    def add_arguments(self, parser):
        parser.add_argument("--hourly", action="store_true", help="only the rules that also run hourly")
        parser.add_argument("codes", nargs="*", help="rule codes to run (default: every enabled rule)")

    def handle(self, *args, hourly=False, codes=(), **options):
        run = scan(kind=Run.Kind.HOURLY if hourly else Run.Kind.FULL, codes=set(codes) or None)
        if run is None:
            raise CommandError("another scan is running; try again when it ends")
        for code, figures in sorted(run.per_rule.items()):
            if "error" in figures:
                self.stderr.write(f"{code}: {figures['error']}")
                continue
            self.stdout.write(f"{code}: {figures['findings']} findings, {figures['opened']} opened, "
                              f"{figures['closed']} closed, {figures['ms']} ms, {figures['queries']} queries")
        self.stdout.write(self.style.SUCCESS(
            f"risk scan {run.status}: {run.findings} findings, {run.opened} opened, {run.closed} closed"))
        if run.status != Run.Status.DONE:
            raise CommandError(run.error)
