"""The demo programme: the real 2018–2019 Link and Match story from PRODUCT.md.

The organisations and signing parties are real (PT Dharma Polimetal, PT Mada Wikri Tunggal and
PT United Tractors Pandu Engineering with IKM from Kabupaten Tegal); the people, e-mail addresses and
contact details are invented. Loading is idempotent: a second run finds everything and writes nothing.

Order: organisations and users, then the story's registry profiles (:mod:`jalin.demo.companies`, through
the services and logged), then the generated IKM population (:mod:`jalin.demo.population`, bulk-written
seed data, not logged), then what later capabilities add through :data:`EXTENSIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from jalin.accounts import services as accounts
from jalin.accounts.models import Organisation, OrganisationKind, User
from jalin.core.roles import Role
from jalin.regions.loader import load_regions
from jalin.regions.models import Region

from .bulk import load_population
from .companies import load_story
from .population import DEFAULT_COUNT, DEFAULT_SEED

JAKARTA_SELATAN = "31.74"
KAB_BEKASI = "32.16"
KAB_TEGAL = "33.28"

ORGANISATIONS: list[tuple[str, str, str, str]] = [
    # name, kind, regency code, address
    (
        "Direktorat Jenderal IKMA, Kementerian Perindustrian",
        OrganisationKind.MINISTRY,
        JAKARTA_SELATAN,
        "Jl. Jend. Gatot Subroto Kav. 52-53, Jakarta Selatan",
    ),
    ("Dinas Perindustrian Kabupaten Tegal", OrganisationKind.REGIONAL_OFFICE, KAB_TEGAL, "Slawi, Kabupaten Tegal"),
    ("PT Dharma Polimetal", OrganisationKind.BUYER, KAB_BEKASI, "Kawasan Industri, Cikarang, Kabupaten Bekasi"),
    ("PT Mada Wikri Tunggal", OrganisationKind.BUYER, KAB_BEKASI, "Cikarang, Kabupaten Bekasi"),
    (
        "PT United Tractors Pandu Engineering (PATRIA)",
        OrganisationKind.BUYER,
        KAB_BEKASI,
        "Kawasan Industri Jababeka, Cikarang, Kabupaten Bekasi",
    ),
    ("PT Sadiyah Cahaya Logam", OrganisationKind.IKM, KAB_TEGAL, "Kabupaten Tegal"),
    ("PT Karya Manunggal Manufaktur", OrganisationKind.IKM, KAB_TEGAL, "Kabupaten Tegal"),
    ("PT Prima Karya", OrganisationKind.IKM, KAB_TEGAL, "Kabupaten Tegal"),
    ("PT Gaya Teknik Logam", OrganisationKind.IKM, KAB_TEGAL, "Kabupaten Tegal"),
    ("PT Manunggal Manufaktur", OrganisationKind.IKM, KAB_TEGAL, "Kabupaten Tegal"),
    ("PT Mitra Karya Tegal", OrganisationKind.IKM, KAB_TEGAL, "Kabupaten Tegal"),
    ("Tim Asesor dan Pendamping Link and Match", OrganisationKind.ASSESSOR, JAKARTA_SELATAN, "Jakarta"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: str
    organisation: str
    region_scope: str | None = None


USERS: list[DemoUser] = [
    DemoUser(
        "officer@jalin.demo",
        "Rina",
        "Kusumawati",
        Role.PROGRAMME_OFFICER,
        "Direktorat Jenderal IKMA, Kementerian Perindustrian",
    ),
    DemoUser(
        "dinas.tegal@jalin.demo",
        "Agus",
        "Priyanto",
        Role.REGIONAL_OFFICER,
        "Dinas Perindustrian Kabupaten Tegal",
        KAB_TEGAL,
    ),
    DemoUser("buyer@jalin.demo", "Dewi", "Lestari", Role.BUYER, "PT Dharma Polimetal"),
    DemoUser("ikm@jalin.demo", "Slamet", "Riyadi", Role.IKM, "PT Sadiyah Cahaya Logam"),
    DemoUser("asesor@jalin.demo", "Bambang", "Sutrisno", Role.ASSESSOR, "Tim Asesor dan Pendamping Link and Match"),
]

#: Loaders of later capabilities, in pipeline order, each called with ``report`` after the registry is
#: in place. Each is idempotent.
EXTENSIONS: list[str] = [
    "jalin.sourcing.demo.load_demo_needs",
    "jalin.events.demo.load_demo_events",
]


@dataclass
class DemoResult:
    created: int = 0
    existing: int = 0


def load_demo(
    report: Callable[[str], None] = lambda message: None,
    *,
    companies: int = DEFAULT_COUNT,
    seed: int = DEFAULT_SEED,
) -> DemoResult:
    """Load the demo programme with ``companies`` generated IKM of ``seed`` (0: the story only)."""
    result = _load_people(report)
    officer = User.objects.get(email=USERS[0].email)
    story = load_story(report, verifier=officer)
    population = load_population(companies, seed=seed, report=report, verifier=officer)
    result.created += story.created + population.created
    result.existing += story.existing + population.existing
    for path in EXTENSIONS:
        import_string(path)(report)
    return result


@transaction.atomic
def _load_people(report: Callable[[str], None]) -> DemoResult:
    result = DemoResult()
    if not Region.objects.filter(code=KAB_TEGAL).exists():
        load_regions()
        report("regions loaded")
    regions = {r.code: r for r in Region.objects.filter(code__in={o[2] for o in ORGANISATIONS})}
    organisations = {}
    for name, kind, code, address in ORGANISATIONS:
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = accounts.create_organisation(actor=None, name=name, kind=kind, region=regions[code], address=address)
            result.created += 1
        else:
            result.existing += 1
        organisations[name] = org
    for u in USERS:
        if User.objects.filter(email=u.email).exists():
            result.existing += 1
            continue
        accounts.create_user(
            actor=None,
            password=settings.JALIN_DEMO_PASSWORD,
            email=u.email,
            first_name=u.first_name,
            last_name=u.last_name,
            role=u.role,
            organisation=organisations[u.organisation],
            region_scope=Region.objects.get(code=u.region_scope) if u.region_scope else None,
        )
        result.created += 1
    return result
