from django.conf import settings
from django.core.management.base import BaseCommand

from jalin.core.roles import Role
from jalin.demo.loader import USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo programme (idempotent: a second run changes nothing) and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the sign-in table.")

    def handle(self, *args, quiet=False, **options):
        result = load_demo(report=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(f"Demo programme: {result.created} records created, {result.existing} already there.")
        if quiet:
            return
        self.stdout.write(f"\nDemo sign-ins (password for all: {settings.JALIN_DEMO_PASSWORD}):")
        for u in USERS:
            self.stdout.write(f"  {Role(u.role).label:<36} {u.email:<28} {u.organisation}")
