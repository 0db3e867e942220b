"""``jalin schedule EVENT_REF [--time-limit S] [--workers N] [--json]``.

Solves the business-meeting schedule of an event and writes its meetings (locked, held and past meetings
stay; a re-run moves as few as possible). Prints the figures, or one JSON document with ``--json``;
documented in docs/scheduler.md.
"""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jalin.events.models import Event
from jalin.events.planning import schedule_event


class Command(BaseCommand):
    help = "Schedule the business meetings of an event with the OR-Tools CP-SAT solver."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The event's reference, e.g. LM-2019.")
        parser.add_argument("--time-limit", type=float, default=30.0, help="Solver time limit in seconds.")
        parser.add_argument("--workers", type=int, default=2, help="Solver threads (default 2).")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON document.")

    def handle(self, *args, reference, time_limit, workers, as_json: bool, **options):
        event = Event.objects.filter(reference__iexact=reference).first()
        if event is None:
            raise CommandError(f"No event with reference {reference!r}.")
        if time_limit <= 0:
            raise CommandError("--time-limit must be a positive number of seconds.")
        last = {"t": -1.0}

        def progress(info: dict) -> None:
            if as_json or info.get("seconds", 0) - last["t"] < 1:
                return
            last["t"] = info.get("seconds", 0)
            parts = [f"{info.get('phase', '')}"] + [f"{k}={info[k]}" for k in ("objective", "bound") if k in info]
            print("  " + " ".join(parts), file=sys.stderr)

        try:
            run = schedule_event(event, actor=None, time_limit=time_limit, workers=workers, progress=progress)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        figures = {
            "event": event.reference,
            "status": run.status,
            "meetings": run.meetings,
            "weighted_meetings": run.objective,
            "bound": run.bound,
            "gap": run.gap,
            "unscheduled": run.unscheduled,
            "idle_gaps": run.idle_gaps,
            "table_changes": run.table_changes,
            "moved": run.moved,
            "seconds": run.seconds,
            "created": run.details.get("created", 0),
            "removed": run.details.get("removed", 0),
        }
        if as_json:
            self.stdout.write(json.dumps(figures, ensure_ascii=False))
            return
        self.stdout.write(f"{event.reference} · {event.name}")
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            if key == "gap" and value is not None:
                value = f"{100 * value:.2f}%"
            self.stdout.write(f"  {key.ljust(width)}  {value}")
