"""Build the demo street office, idempotently.

Each app that has demo data exposes ``<app>.demo.seed(stdout)``; they run in the order of
INSTALLED_APPS, so ``org`` comes first and later modules build on it.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or refresh the demo street office (units, people, and each module's demo data)."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is None:
                continue
            import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo office ready"))
