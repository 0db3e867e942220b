from django.core.management.base import BaseCommand

from jalin.regions.loader import load_regions


class Command(BaseCommand):
    help = "Load Indonesia's provinces and regencies/cities (Kemendagri 2025) from the pinned data package."

    def handle(self, *args, **options):
        result = load_regions()
        self.stdout.write(
            f"{result.provinces} provinces, {result.regencies} regencies and cities "
            f"({result.created} created, {result.updated} updated)."
        )
