from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any
    description: Any
    icon: str  # a name known to templates/includes/icon.html
    visible: Any = None  # a test of the user; None shows the entry to everyone signed in


# The navigation, by capability; the home page shows the same entries as tiles. A later app adds its
# entry here, in pipeline order.
NAVIGATION: list[NavItem] = [
    NavItem("core:home", _("Home"), "", "home"),
    NavItem(
        "companies:list",
        _("Registry"),
        _("IKM and industry profiles: capabilities, certifications, verification, import and export."),
        "registry",
    ),
    NavItem(
        "sourcing:list",
        _("Needs"),
        _("Buyers' component needs: part, volume, processes, certifications, delivery plant; import and export."),
        "needs",
    ),
    NavItem(
        "matching:opportunities",
        _("Opportunities"),
        _("Buyers' open needs that fit your company, with the reasons and the gaps to close."),
        "opportunities",
        lambda user: user.role == "ikm",
    ),
    NavItem(
        "events:list",
        _("Business meetings"),
        _("Temu bisnis: invitations, meeting requests, the schedule, agendas, the day itself and outcomes."),
        "events",
    ),
    NavItem(
        "accounts:organisations",
        _("Organisations"),
        _("Ministry, regional offices, buyers, IKM and assessors taking part."),
        "organisations",
    ),
    NavItem("regions:list", _("Regions"), _("Provinces, regencies and cities with their Kemendagri codes."), "regions"),
    NavItem(
        "accounts:users",
        _("Users"),
        _("Create accounts and set roles for the people you manage."),
        "users",
        lambda user: user.is_officer,
    ),
    NavItem(
        "core:changelog",
        _("Change log"),
        _("Who changed what and when, across the whole programme."),
        "changelog",
        lambda user: user.is_programme_officer,
    ),
    NavItem("core:jobs", _("Jobs"), _("Exports and imports running in the background, with downloads."), "jobs"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for item in NAVIGATION:
        if item.visible is None or item.visible(user):
            url = reverse(item.url_name)
            active = path == url if url == "/" else path.startswith(url)
            items.append(
                {
                    "url": url,
                    "label": item.label,
                    "description": item.description,
                    "icon": item.icon,
                    "active": active,
                    "is_home": item.url_name == "core:home",
                }
            )
    return {"nav_items": items}
