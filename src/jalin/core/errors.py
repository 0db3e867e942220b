"""Error pages in the user's language, with the same shell as every other page."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"message": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors: the failure may come from them or from the database.
    return HttpResponseServerError(loader.get_template("errors/500.html").render({"request": request}))
