"""``jalin export <what> FILE.csv|FILE.xlsx [filters]``: export what an app registered as the system.

``<what>`` is any name an app registered with :func:`jalin.core.imports.register_exporter`; its filters
are the list page's query parameters (for companies: --q, --region, --process, --material,
--certification, --kind, --size, --verified, --sort). The command reads as the system: every row, private
columns included.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jalin.core.imports import exporters, system_reader


class Command(BaseCommand):
    help = "Export to CSV or XLSX as the system: jalin export companies FILE.xlsx [--q TEXT --region CODE ...]."

    def add_arguments(self, parser):
        parser.add_argument("what", help="what to export: " + ", ".join(sorted(exporters())))
        parser.add_argument("file", help="the file to write; its extension (.csv or .xlsx) picks the format")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="the format, when the extension does not say")
        for name in sorted({f for exporter in exporters().values() for f in exporter.filters}):
            parser.add_argument(f"--{name}", default="", help=f"filter: {name} (as on the list page)")

    def handle(self, *args, what, file, **options):
        registry = exporters()
        if what not in registry:
            raise CommandError(f"Cannot export {what!r}; known: {', '.join(sorted(registry)) or 'none'}.")
        exporter = registry[what]
        path = Path(file)
        fmt = options.get("format") or path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError("Give a .csv or .xlsx file name, or --format csv|xlsx.")
        unsupported = [
            name
            for name in {f for e in registry.values() for f in e.filters} - set(exporter.filters)
            if options.get(name)
        ]
        if unsupported:
            raise CommandError(f"{what} cannot be filtered by {', '.join(sorted(unsupported))}.")
        params = {name: options[name] for name in exporter.filters if options.get(name)}
        with open(path, "wb") as out:
            count = exporter.run(out, fmt=fmt, user=system_reader(), params=params)
        self.stdout.write(f"{count} rows written to {path}")
