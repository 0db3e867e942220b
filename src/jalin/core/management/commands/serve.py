from django.conf import settings
from django.core.management.base import BaseCommand
from waitress import serve

from jalin.wsgi import application


class Command(BaseCommand):
    help = "Serve Jalin with the waitress WSGI server (static files through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, addrport, threads, **options):
        host, _, port = addrport.rpartition(":")
        self.stdout.write(f"Jalin on http://{host or '127.0.0.1'}:{port}/ (DEBUG={settings.DEBUG})")
        serve(application, host=host or "127.0.0.1", port=int(port), threads=threads)
