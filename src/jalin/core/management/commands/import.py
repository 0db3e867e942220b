"""``jalin import <what> FILE [--dry-run] [--partial]``: import a CSV or XLSX file as the system.

``<what>`` is any name an app registered with :func:`jalin.core.imports.register_importer` ("companies";
later "needs"). The command runs as the system: no permission or region limits apply, and the change log
records the actor "system". The report lists every problem by row; the exit status is non-zero when a dry
run finds errors or when nothing was written because of them.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jalin.core.imports import ConsoleProgress, importers


class Command(BaseCommand):
    help = "Import a CSV or XLSX file as the system: jalin import companies FILE [--dry-run] [--partial]."

    def add_arguments(self, parser):
        parser.add_argument("what", help="what the file holds: " + ", ".join(sorted(importers())))
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="write the valid rows and skip the others (default: all or nothing, nothing is written "
            "while any row has an error)",
        )

    def handle(self, *args, what, file, dry_run, partial, **options):
        registry = importers()
        if what not in registry:
            raise CommandError(f"Cannot import {what!r}; known: {', '.join(sorted(registry)) or 'none'}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        progress = ConsoleProgress(self.stderr) if options["verbosity"] > 1 else None
        report = registry[what].run(
            path, filename=path.name, actor=None, dry_run=dry_run, all_or_nothing=not partial, progress=progress
        )
        for line in report.lines():
            self.stdout.write(line)
        if report.file_errors or (report.errors and not report.committed):
            raise CommandError(
                f"{len(report.errors)} problem(s) in {report.error_rows} row(s); nothing was written."
                if not dry_run
                else f"{len(report.errors)} problem(s) in {report.error_rows} row(s)."
            )
