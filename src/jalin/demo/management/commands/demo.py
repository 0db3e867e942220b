from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jalin.companies.models import Company, CompanyKind, Verification
from jalin.core.roles import Role
from jalin.demo.loader import USERS, load_demo
from jalin.demo.population import DEFAULT_COUNT, DEFAULT_SEED


class Command(BaseCommand):
    help = "Load the demo programme (idempotent: a second run changes nothing) and print the demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the sign-in table.")
        parser.add_argument(
            "--companies",
            type=int,
            default=DEFAULT_COUNT,
            metavar="N",
            help=f"How many IKM to generate over the real clusters (default {DEFAULT_COUNT:,}; 0 for none).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Seed of the generated population (same seed, same rows)."
        )

    def handle(self, *args, quiet=False, companies=DEFAULT_COUNT, seed=DEFAULT_SEED, **options):
        if companies < 0:
            raise CommandError("--companies must be 0 or more.")
        result = load_demo(report=lambda message: self.stdout.write(f"  {message}"), companies=companies, seed=seed)
        self.stdout.write(f"Demo programme: {result.created:,} records created, {result.existing:,} already there.")
        registry = Company.objects.all()
        ikm = registry.filter(kind=CompanyKind.IKM).count()
        industry = registry.filter(kind=CompanyKind.INDUSTRY).count()
        verified = registry.filter(verification=Verification.VERIFIED).count()
        self.stdout.write(
            f"Registry: {ikm + industry:,} companies ({ikm:,} IKM, {industry:,} industry), {verified:,} verified."
        )
        if quiet:
            return
        self.stdout.write(f"\nDemo sign-ins (password for all: {settings.JALIN_DEMO_PASSWORD}):")
        for u in USERS:
            self.stdout.write(f"  {Role(u.role).label:<36} {u.email:<28} {u.organisation}")
