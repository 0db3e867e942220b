"""Job handlers of the core app."""

import csv
import io

from django.core.files.base import ContentFile
from django.utils import timezone

from .jobs import job_handler
from .models import ObjectChange
from .spreadsheet import safe_cell


@job_handler("core.export_changes")
def export_changes(job, progress):
    changes = ObjectChange.objects.select_related("content_type").order_by("time", "pk")
    total = changes.count()
    progress.total(total)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "actor", "request_id", "action", "type", "object_id", "object", "before", "after"])
    for i, c in enumerate(changes.iterator(chunk_size=2000), start=1):
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    c.time.isoformat(),
                    c.actor_name,
                    c.request_id or "",
                    c.action,
                    c.content_type.model,
                    c.object_id,
                    c.object_repr,
                    c.before,
                    c.after,
                )
            ]
        )
        progress.advance(i)
    name = f"changes-{timezone.now():%Y%m%d-%H%M%S}.csv"
    job.result_file.save(name, ContentFile(out.getvalue().encode("utf-8-sig")), save=True)
    return {"rows": total}
