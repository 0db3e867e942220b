from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The navigation, by capability. Each later app appends its entry (url name, label, test).
NAVIGATION: list[tuple[str, object, object]] = [
    ("core:home", _("Home"), lambda user: True),
    ("accounts:organisations", _("Organisations"), lambda user: True),
    ("regions:list", _("Regions"), lambda user: True),
    ("accounts:users", _("Users"), lambda user: user.is_officer),
    ("core:changelog", _("Change log"), lambda user: user.is_programme_officer),
    ("core:jobs", _("Jobs"), lambda user: True),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for name, label, test in NAVIGATION:
        if test(user):
            url = reverse(name)
            active = path == url if url == "/" else path.startswith(url)
            items.append({"url": url, "label": label, "active": active})
    return {"nav_items": items}
