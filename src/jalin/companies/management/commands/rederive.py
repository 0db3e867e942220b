"""``jalin rederive [--batch-size N]``: compute again the derived fields of every company.

The derived fields (size classes with their rules, completeness, search text, filter tokens; see
``companies.services.Deriver``) are kept current by every write. Run this after an upgrade whose notes ask for
it, i.e. when the way they are computed changed (for example the search text, which no longer holds the
taxonomy's words). It reads and writes the registry in batches, each in its own transaction, so it can be
stopped and run again; rows whose values are already current are not written. ``updated`` moves only for rows
whose size classes or completeness changed (the matching index reads those; the search text it does not).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from jalin.companies.import_write import stored_for
from jalin.companies.models import Company
from jalin.companies.services import DERIVED_FIELDS, Deriver
from jalin.core.bulk import update_rows

#: Derived fields the matching index does not read: a change to these alone leaves ``updated`` as it is.
SEARCH_ONLY = frozenset({"search_text", "filter_tokens"})


class Command(BaseCommand):
    help = "Compute again the derived fields (size classes, completeness, search text) of every company."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="companies per transaction (default 2000)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = Company.objects.count()
        derive = Deriver()
        done = changed = 0
        last = 0
        started = time.monotonic()
        while True:
            with transaction.atomic():
                batch = list(Company.objects.filter(pk__gt=last).select_related("region").order_by("pk")[:batch_size])
                if not batch:
                    break
                changed += _rederive(batch, derive)
            last = batch[-1].pk
            done += len(batch)
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"  companies: {done:,} of {total:,} ({changed:,} changed) in {time.monotonic() - started:.0f} s"
                )
        self.stdout.write(f"Derived fields computed again for {done:,} companies; {changed:,} changed.")


def _rederive(batch: list[Company], derive: Deriver) -> int:
    """Derive the batch's fields again and write the rows that changed; how many did."""
    stored = stored_for([c.pk for c in batch])  # the import's reader: a query per kind of related row
    moved, search_only = [], []
    for company in batch:
        before = tuple(getattr(company, name) for name in DERIVED_FIELDS)
        derive(company, stored.related(company.pk))
        after = tuple(getattr(company, name) for name in DERIVED_FIELDS)
        differ = {name for name, old, new in zip(DERIVED_FIELDS, before, after, strict=True) if old != new}
        if differ - SEARCH_ONLY:
            moved.append(company)
        elif differ:
            search_only.append(company)
    now = timezone.now()
    for company in moved:
        company.updated = now
    update_rows(moved, [*DERIVED_FIELDS, "updated"])
    update_rows(search_only, sorted(SEARCH_ONLY))
    return len(moved) + len(search_only)
