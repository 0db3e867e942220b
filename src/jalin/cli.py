"""The ``jalin`` command: Django's management commands under friendlier names.

jalin migrate | demo | worker | serve [ADDR:PORT] | runserver | load_regions | <any management command>
"""

import os
import sys

ALIASES = {
    "worker": ["db_worker"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalin.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__.strip())
        argv = ["help"]
    argv = ALIASES.get(argv[0], [argv[0]]) + argv[1:]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jalin", *argv])


if __name__ == "__main__":
    main()
