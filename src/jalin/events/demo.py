"""The demo business meetings: the 2018 Link and Match with its real signing parties, and a generated 2019 event.

Real (PRODUCT.md): the pairs that signed at the 2018 Link and Match — PT Dharma Polimetal with PT Sadiyah
Cahaya Logam, PT Karya Manunggal Manufaktur and PT Prima Karya; PT Mada Wikri Tunggal with PT Gaya Teknik
Logam, PT Prima Karya and PT Manunggal Manufaktur; PATRIA with PT Mitra Karya Tegal. Invented: dates,
venues, slots, tables, the meetings that led nowhere, every note, and the whole 2019 event: its IKM come
from the story, the candidates invited from the demo needs' shortlists and the generated population spread
over the clusters; its 30 buyers are the story's three and 27 invented companies (:data:`BUYERS_2019`: made-up
names, NIBs and people, in real industrial estates), created through the registry services like the story's.

Idempotent: an event is keyed by its reference; one that exists is left as it is (an invented buyer by its
NIB). Deterministic: the 2019 event is drawn from a seeded generator over companies in a fixed order (the
solver's schedule may differ between runs: it stops at a time limit). Participants and requests are seed
data written in bulk (like the generated population); companies, candidates, meetings, no-shows,
rescheduling and outcomes go through the services, so they are checked and in the change log.
"""

from __future__ import annotations

import datetime
import random
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jalin.accounts.models import Organisation
from jalin.companies import services as company_services
from jalin.companies.models import (
    BuyerType,
    Certification,
    CertificationType,
    Company,
    CompanyKind,
    Kbli,
    Material,
    Process,
    Product,
    Verification,
)
from jalin.core.models import ChangeAction
from jalin.core.services import log_change, snapshot
from jalin.demo.population import npwp16
from jalin.matching import services as matching
from jalin.matching.models import Candidate, CandidateStatus
from jalin.regions.models import Region
from jalin.sourcing.models import Need, NeedStatus

from . import outcomes, services
from .models import (
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingStatus,
    MeetingTable,
    Participant,
    ParticipantSide,
    ParticipantStatus,
    Priority,
    RequestStatus,
    Session,
    Slot,
)

REF_2018 = "LM-2018"
REF_2019 = "LM-2019"
SEED = 2019
ORGANISER = "Direktorat Jenderal IKMA, Kementerian Perindustrian"
JAKARTA_SELATAN = "31.74"
ZONE = zoneinfo.ZoneInfo("Asia/Jakarta")

DHARMA = "PT Dharma Polimetal"
MADA = "PT Mada Wikri Tunggal"
PATRIA = "PT United Tractors Pandu Engineering (PATRIA)"
SADIYAH = "PT Sadiyah Cahaya Logam"

#: The pairs that signed at the 2018 Link and Match (PRODUCT.md), buyer first.
SIGNED_2018: tuple[tuple[str, str], ...] = (
    (DHARMA, SADIYAH),
    (DHARMA, "PT Karya Manunggal Manufaktur"),
    (DHARMA, "PT Prima Karya"),
    (MADA, "PT Gaya Teknik Logam"),
    (MADA, "PT Prima Karya"),
    (MADA, "PT Manunggal Manufaktur"),
    (PATRIA, "PT Mitra Karya Tegal"),
)
#: Invented: 2018 meetings that did not (yet) lead to an MoU — buyer, IKM, next step of each side.
OTHER_2018: tuple[tuple[str, str, str, str], ...] = (
    (DHARMA, "PT Gaya Teknik Logam", "quotation", "sample"),
    (PATRIA, "PT Prima Karya", "none", "sample"),
    (PATRIA, "PT Manunggal Manufaktur", "none", "none"),
)

IKM_2019 = 100
MIN_IKM_2019 = 60  # fewer verified IKM in the registry (a small demo load): no 2019 event
TABLES_2019 = 40
FIXED_TABLES_2019 = 20
IKM_CAP_2019 = 10  # the event's cap on meetings per participant
BUYER_CAP_2019 = 30
RESCHEDULED_2019 = 3
CANDIDATES_RANKED = 6  # per open need of the story's buyers: kept as suggested candidates
CANDIDATES_INVITED = 3  # of which the best are shortlisted and invited to the event
SCHEDULE_TIME_LIMIT = 2.5  # seconds; the demo loads on SQLite in `make run`
#: Shares of held meetings whose outcome each side has recorded (the rest is left for the users to try).
BUYER_ANSWERS, IKM_ANSWERS = 0.65, 0.5
MISSING = "the registry's demo companies are missing"


@dataclass
class EventsResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    figures: dict[str, dict] = field(default_factory=dict)


def load_demo_events(report: Callable[[str], None] = lambda message: None) -> EventsResult:
    """Create the demo events that do not exist yet; report what was done."""
    result = EventsResult()
    for reference, build in ((REF_2018, _build_2018), (REF_2019, _build_2019)):
        if Event.objects.filter(reference=reference).exists():
            result.existing.append(reference)
            continue
        started = time.monotonic()
        figures = build(report)
        if isinstance(figures, str):
            result.skipped.append(reference)
            report(f"demo events: {reference} skipped ({figures})")
            continue
        result.created.append(reference)
        result.figures[reference] = figures
        summary = ", ".join(f"{v} {k}" for k, v in figures.items())
        report(f"demo events: {reference} created in {time.monotonic() - started:.1f} s ({summary})")
    if result.existing:
        report(f"demo events: {', '.join(result.existing)} already there")
    return result


# ----------------------------------------------------------------------------------------------- helpers


def _companies(names) -> dict[str, Company]:
    return {c.legal_name: c for c in Company.objects.filter(legal_name__in=set(names))}


def _event(
    reference: str,
    name: str,
    *,
    days: list[datetime.date],
    status: str,
    description: str,
    venue: str,
    sessions: list[tuple[str, datetime.time, datetime.time]],
    tables: int,
    max_meetings: int,
) -> Event:
    event = Event.objects.create(
        reference=reference,
        name=name,
        description=description,
        organiser=Organisation.objects.filter(name=ORGANISER).first(),
        venue=venue,
        address="Jl. Jend. Gatot Subroto Kav. 52-53, Jakarta Selatan",
        region=Region.objects.filter(code=JAKARTA_SELATAN).first(),
        starts_on=days[0],
        ends_on=days[-1],
        slot_minutes=20,
        max_meetings=max_meetings,
        status=status,
    )
    log_change(actor=None, action=ChangeAction.CREATE, obj=event, before=None, after=snapshot(event))
    Session.objects.bulk_create(
        Session(event=event, name=f"{label} {i + 1}" if len(days) > 1 else label, date=day, start=start, end=end)
        for i, day in enumerate(days)
        for label, start, end in sessions
    )
    services.regenerate_slots(event)
    MeetingTable.objects.bulk_create(
        MeetingTable(event=event, label=f"Meja {i}", position=i) for i in range(1, tables + 1)
    )
    return event


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def _record(meeting: Meeting, side: Participant, interest: str, next_step: str, note: str = "") -> None:
    outcomes.record_outcome(meeting, actor=None, participant=side, interest=interest, next_step=next_step, note=note)


# ----------------------------------------------------------------------------------------------- 2018


@transaction.atomic
def _build_2018(report) -> dict | str:
    ikm_names = {ikm for _b, ikm in SIGNED_2018} | {ikm for _b, ikm, *_ in OTHER_2018}
    buyer_names = [DHARMA, MADA, PATRIA]
    companies = _companies([*buyer_names, *ikm_names])
    if len(companies) < len(ikm_names) + len(buyer_names):
        return MISSING
    day = datetime.date(2018, 11, 27)
    event = _event(
        REF_2018,
        "Link and Match IKM Komponen Otomotif 2018",
        days=[day],
        status=EventStatus.CLOSED,
        description=(
            "Temu bisnis IKM komponen otomotif dari Kabupaten Tegal dengan industri Tier-1 dan alat berat, "
            "diakhiri penandatanganan nota kesepahaman (MoU) kemitraan."
        ),
        venue="Gedung Kementerian Perindustrian, Jakarta",
        sessions=[("Sesi pagi", datetime.time(9, 0), datetime.time(12, 0))],
        tables=3,
        max_meetings=9,
    )
    tables = list(MeetingTable.objects.filter(event=event).order_by("position"))
    buyers = {}
    for i, name in enumerate(buyer_names):
        buyers[name] = Participant.objects.create(
            event=event,
            company=companies[name],
            side=ParticipantSide.BUYER,
            fixed_table=tables[i],
            checked_in_at=_at(day, 8, 30 + i),
        )
    ikm = {}
    for i, name in enumerate(sorted(ikm_names)):
        ikm[name] = Participant.objects.create(
            event=event, company=companies[name], side=ParticipantSide.IKM, checked_in_at=_at(day, 8, 35 + i)
        )
    slots = list(Slot.objects.filter(event=event).order_by("index"))
    busy: set[tuple[int, int]] = set()
    pairs = [(b, i, "mou", "mou") for b, i in SIGNED_2018] + list(OTHER_2018)
    meetings = 0
    for n, (buyer_name, ikm_name, buyer_step, ikm_step) in enumerate(pairs):
        buyer, company = buyers[buyer_name], ikm[ikm_name]
        request = MeetingRequest.objects.create(
            event=event,
            requester=company,
            recipient=buyer,
            priority=Priority.MUST if buyer_step == "mou" else Priority.WANT,
            status=RequestStatus.ACCEPTED,
            mutual=n % 2 == 0,
            responded_at=_at(day, 8) - datetime.timedelta(days=14),
        )
        slot = next(s for s in slots if (buyer.pk, s.pk) not in busy and (company.pk, s.pk) not in busy)
        busy |= {(buyer.pk, slot.pk), (company.pk, slot.pk)}
        meeting = services.book(request, slot, buyer.fixed_table, actor=None)
        services.mark_held(meeting, actor=None)
        meetings += 1
        signed = buyer_step == "mou"
        _record(
            meeting,
            buyer,
            "high" if signed else "medium",
            buyer_step,
            "Siap menandatangani MoU kemitraan pemasokan." if signed else "",
        )
        _record(
            meeting,
            company,
            "high" if signed else "medium",
            ikm_step,
            "MoU ditandatangani pada acara penutupan." if signed else "",
        )
    # The follow-up round, months later: the signed pairs confirm; the others answer in part.
    Event.objects.filter(pk=event.pk).update(follow_up_opened=_at(datetime.date(2019, 3, 1), 10))
    event.refresh_from_db()
    log_change(actor=None, action=ChangeAction.UPDATE, obj=event, before=None, after=snapshot(event))
    for meeting in Meeting.objects.filter(event=event).select_related("request__requester", "request__recipient"):
        buyer, company = meeting.request.recipient, meeting.request.requester
        if meeting.outcomes.filter(next_step="mou").exists():
            _record(meeting, buyer, "high", "mou", "Pesanan percobaan pertama sedang berjalan.")
            _record(meeting, company, "high", "mou", "")
        elif buyer.company.legal_name == DHARMA:
            _record(meeting, buyer, "medium", "sample", "Sampel diminta setelah penawaran harga.")
    return {"buyers": len(buyers), "IKM": len(ikm), "meetings": meetings}


# ----------------------------------------------------------------------------------------------- 2019 buyers


@dataclass(frozen=True)
class InventedBuyer:
    """A buyer company that exists only in the demo: name, NIB, NPWP, contact and figures are invented;
    the industrial area it sits in is real."""

    name: str
    buyer_type: str
    region: str  # regency or city code
    address: str
    latitude: str
    longitude: str
    workforce: int
    investment: int  # billion rupiah
    products: str
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    kbli: tuple[str, ...]
    items: tuple[tuple[str, str], ...]  # product name, HS code
    contact: str


KAB_BOGOR, KAB_PURWAKARTA, KAB_KARAWANG, KAB_BEKASI = "32.01", "32.14", "32.15", "32.16"
KAB_SEMARANG, KAB_KENDAL, KOTA_SEMARANG = "33.22", "33.24", "33.74"
KAB_PASURUAN, KAB_SIDOARJO, KAB_GRESIK = "35.14", "35.15", "35.25"
KAB_TANGERANG, KAB_SERANG, KOTA_TANGERANG = "36.03", "36.04", "36.71"
AREA_CODES = {
    KAB_BOGOR: "021",
    KAB_PURWAKARTA: "0264",
    KAB_KARAWANG: "0267",
    KAB_BEKASI: "021",
    KAB_SEMARANG: "0298",
    KAB_KENDAL: "0294",
    KOTA_SEMARANG: "024",
    KAB_PASURUAN: "0343",
    KAB_SIDOARJO: "031",
    KAB_GRESIK: "031",
    KAB_TANGERANG: "021",
    KAB_SERANG: "0254",
    KOTA_TANGERANG: "021",
}
TAX_OFFICES = {"32": 431, "33": 511, "35": 611, "36": 451}  # by province (first two digits of the code)

_B = InventedBuyer
#: Invented buyers of the 2019 event (27; with the story's three, 30). The names are made up and belong to
#: no real company; the industrial estates and regencies are real. Figures are round and plausible.
BUYERS_2019: tuple[InventedBuyer, ...] = (
    # APM, four-wheel
    _B("PT Sinergi Roda Nusantara Motor", BuyerType.APM_4W, KAB_KARAWANG,
       "Kawasan Industri KIIC, Kec. Telukjambe Barat, Kabupaten Karawang", "-6.368000", "107.285000", 4200, 3200,
       "Perakitan mobil penumpang MPV dan LCGC: press bodi, pengelasan body-in-white, pengecatan, perakitan akhir",
       ("stamping", "welding", "painting", "assembly"), ("sheet-steel", "plastic"), ("29300",),
       (("Panel bodi MPV", "8708.29"), ("Bracket sasis", "8708.99")), "Yusuf Hakim"),
    _B("PT Cakrawala Mobil Manufaktur Indonesia", BuyerType.APM_4W, KAB_BEKASI,
       "Kawasan Industri GIIC Deltamas, Kec. Cikarang Pusat, Kabupaten Bekasi", "-6.375000", "107.175000", 3100,
       2400, "Perakitan SUV dan pick-up; komponen lokal: sasis, tangki bahan bakar, knalpot, jok",
       ("welding", "painting", "assembly", "stamping"), ("sheet-steel", "steel-pipe"), ("29300",),
       (("Rangka pick-up", "8708.99"), ("Tangki bahan bakar mobil", "8708.99")), "Maya Anggraini"),
    _B("PT Rajawali Kendaraan Niaga Indonesia", BuyerType.APM_4W, KAB_PURWAKARTA,
       "Kawasan Industri Kota Bukit Indah, Kec. Bungursari, Kabupaten Purwakarta", "-6.465000", "107.410000", 2200,
       1500, "Truk ringan dan medium; sasis ladder frame, bracket, cross member dan kabin",
       ("welding", "stamping", "painting", "assembly", "cnc-machining"), ("carbon-steel", "sheet-steel"), ("29300",),
       (("Bracket sasis truk", "8708.99"), ("Cross member", "8708.99")), "Rudi Hartanto"),
    # APM, two-wheel
    _B("PT Bayu Motor Dua Roda Indonesia", BuyerType.APM_2W, KAB_KARAWANG,
       "Kawasan Industri Suryacipta, Kec. Ciampel, Kabupaten Karawang", "-6.405000", "107.322000", 5200, 2800,
       "Perakitan sepeda motor bebek dan skuter matik; rangka, tangki, knalpot dan part plastik dari pemasok lokal",
       ("assembly", "welding", "painting", "pipe-bending", "injection-moulding"),
       ("steel-pipe", "sheet-steel", "plastic"), ("30911",),
       (("Rangka skuter matik", "8714.10"), ("Knalpot sepeda motor", "8714.10")), "Fajar Nugraha"),
    _B("PT Laju Sepeda Motor Nusantara", BuyerType.APM_2W, KAB_BEKASI,
       "Kawasan Industri MM2100, Kec. Cikarang Barat, Kabupaten Bekasi", "-6.296000", "107.047000", 3800, 1900,
       "Sepeda motor sport dan bebek: perakitan mesin, rangka, lengan ayun dan pengecatan",
       ("assembly", "welding", "painting", "cnc-machining"), ("steel-pipe", "aluminium"), ("30911",),
       (("Lengan ayun (swing arm)", "8714.10"), ("Footstep", "8714.10")), "Indah Permatasari"),
    _B("PT Sembrani Motorindo Manufaktur", BuyerType.APM_2W, KAB_PASURUAN,
       "Pasuruan Industrial Estate Rembang (PIER), Kec. Rembang, Kabupaten Pasuruan", "-7.620000", "112.830000",
       1600, 700, "Sepeda motor roda tiga niaga dan sepeda motor listrik: rangka, bak muatan, velg",
       ("welding", "pipe-bending", "painting", "assembly"), ("steel-pipe", "sheet-steel"), ("30911",),
       (("Rangka roda tiga", "8714.10"), ("Bak muatan", "8714.10")), "Agung Wibisono"),
    # Tier-1
    _B("PT Cakra Komponen Presisi", BuyerType.TIER_1, KAB_BEKASI,
       "Kawasan Industri EJIP, Kec. Cikarang Selatan, Kabupaten Bekasi", "-6.340000", "107.140000", 1400, 520,
       "Komponen mesin presisi: camshaft, crankshaft, connecting rod dan gear untuk mobil dan sepeda motor",
       ("forging", "cnc-machining", "grinding", "heat-treatment"), ("alloy-steel", "carbon-steel"),
       ("29300", "30912"), (("Camshaft", "8483.10"), ("Gear transmisi", "8483.40")), "Hendro Saputra"),
    _B("PT Nusantara Autoparts Manufaktur", BuyerType.TIER_1, KAB_KARAWANG,
       "Kawasan Industri KIIC, Kec. Telukjambe Barat, Kabupaten Karawang", "-6.362000", "107.292000", 1800, 640,
       "Part stamping dan sub-assy las bodi mobil: reinforcement, bracket, cross member; cat ED",
       ("stamping", "welding", "die-making", "painting"), ("sheet-steel",), ("29300", "25910"),
       (("Reinforcement bodi", "8708.29"), ("Bracket mesin", "8708.99")), "Lina Marlina"),
    _B("PT Arta Kemudi Presisi", BuyerType.TIER_1, KAB_TANGERANG,
       "Kawasan Industri Millennium, Kec. Cikupa, Kabupaten Tangerang", "-6.245000", "106.520000", 900, 310,
       "Sistem kemudi dan suspensi mobil: tie rod, ball joint, steering column",
       ("forging", "cnc-machining", "heat-treatment", "assembly"), ("alloy-steel", "carbon-steel"), ("29300",),
       (("Tie rod end", "8708.94"), ("Ball joint", "8708.80")), "Dedi Kurniawan"),
    _B("PT Kencana Sistem Pengereman", BuyerType.TIER_1, KAB_BEKASI,
       "Kawasan Industri Delta Silicon, Lippo Cikarang, Kabupaten Bekasi", "-6.335000", "107.160000", 1100, 380,
       "Cakram, tromol, kaliper dan kampas rem untuk mobil dan sepeda motor",
       ("casting", "cnc-machining", "painting", "assembly"), ("cast-iron", "aluminium"), ("29300", "24310"),
       (("Cakram rem", "8708.30"), ("Tromol rem", "8708.30")), "Ratna Sari"),
    _B("PT Mulia Suspensi Otomotif", BuyerType.TIER_1, KAB_BOGOR,
       "Kawasan industri Gunung Putri, Kec. Gunung Putri, Kabupaten Bogor", "-6.430000", "106.920000", 1300, 420,
       "Shock absorber dan pegas suspensi untuk sepeda motor dan mobil",
       ("pipe-bending", "cnc-machining", "welding", "plating", "spring-making"), ("steel-pipe", "alloy-steel"),
       ("29300", "30912"), (("Shock absorber", "8708.80"), ("Per suspensi", "7320.20")), "Anton Setiadi"),
    _B("PT Bumi Knalpot Teknologi", BuyerType.TIER_1, KAB_KARAWANG,
       "Kec. Telukjambe Timur, Kabupaten Karawang", "-6.330000", "107.300000", 750, 210,
       "Sistem gas buang mobil dan sepeda motor: muffler, pipa knalpot, catalytic converter",
       ("pipe-bending", "welding", "sheet-metal", "painting"), ("steel-pipe", "stainless-steel", "sheet-steel"),
       ("29300", "30912"), (("Muffler", "8708.92"), ("Pipa knalpot", "8714.10")), "Sri Rahayu"),
    _B("PT Lintas Kabel Otomotif Indonesia", BuyerType.TIER_1, KAB_SIDOARJO,
       "Kawasan Industri Berbek, Kec. Waru, Kabupaten Sidoarjo", "-7.345000", "112.755000", 2600, 260,
       "Wire harness dan konektor untuk mobil, sepeda motor dan alat rumah tangga",
       ("assembly", "injection-moulding"), ("copper-brass", "plastic"), ("29300",),
       (("Wire harness", "8544.30"), ("Rumah konektor", "8538.90")), "Bayu Santoso"),
    _B("PT Prakarsa Cor Presisi", BuyerType.TIER_1, KAB_PASURUAN,
       "Pasuruan Industrial Estate Rembang (PIER), Kec. Rembang, Kabupaten Pasuruan", "-7.615000", "112.840000",
       850, 290, "Die casting aluminium: crankcase, cylinder head, cover mesin; machining dan impregnasi",
       ("die-casting", "cnc-machining", "heat-treatment"), ("aluminium",), ("24320", "30912"),
       (("Crankcase sepeda motor", "8714.10"), ("Cover kopling", "8409.91")), "Wahyu Pratama"),
    _B("PT Andalan Radiator Sejahtera", BuyerType.TIER_1, KOTA_TANGERANG,
       "Kawasan Industri Jatake, Kec. Jatiuwung, Kota Tangerang", "-6.200000", "106.580000", 650, 150,
       "Radiator, kondensor AC dan intercooler untuk mobil dan truk",
       ("sheet-metal", "assembly", "welding", "pipe-bending"), ("aluminium", "copper-brass"), ("29300",),
       (("Radiator", "8708.91"), ("Kondensor AC mobil", "8418.99")), "Yohanes Gunadi"),
    _B("PT Sentosa Pelek Kencana", BuyerType.TIER_1, KOTA_SEMARANG,
       "Kawasan Industri Wijayakusuma, Kec. Ngaliyan, Kota Semarang", "-6.990000", "110.340000", 700, 240,
       "Velg baja dan velg aluminium untuk sepeda motor dan mobil",
       ("casting", "cnc-machining", "painting", "welding"), ("aluminium", "sheet-steel"), ("29300", "30912"),
       (("Velg aluminium", "8708.70"), ("Velg baja sepeda motor", "8714.10")), "Nur Aini"),
    # Tier-2
    _B("PT Karya Baut Prima Indonesia", BuyerType.TIER_2, KAB_TANGERANG,
       "Kec. Cikupa, Kabupaten Tangerang", "-6.230000", "106.510000", 420, 95,
       "Baut, mur, stud dan rivet khusus otomotif; cold forging dan zinc plating",
       ("forging", "turning", "heat-treatment", "plating"), ("carbon-steel", "alloy-steel"), ("25999", "29300"),
       (("Baut flens", "7318.15"), ("Mur", "7318.16")), "Stefanus Halim"),
    _B("PT Mitra Tempa Logam Sejati", BuyerType.TIER_2, KAB_SIDOARJO,
       "Kec. Krian, Kabupaten Sidoarjo", "-7.410000", "112.590000", 350, 80,
       "Tempa panas dan machining: flange, yoke, knuckle, gear blank",
       ("forging", "cnc-machining", "heat-treatment"), ("alloy-steel", "carbon-steel"), ("25910", "29300"),
       (("Gear blank tempa", "7326.19"), ("Yoke", "8708.99")), "Imam Syafii"),
    _B("PT Puspa Karet Teknik", BuyerType.TIER_2, KAB_BOGOR,
       "Kec. Cileungsi, Kabupaten Bogor", "-6.400000", "106.960000", 300, 60,
       "Part karet dan plastik teknik: seal, grommet, bushing karet, dust cover",
       ("rubber-moulding", "injection-moulding"), ("rubber", "plastic"), ("22192", "22299"),
       (("Bushing karet", "4016.99"), ("Grommet", "4016.93")), "Kartika Dewi"),
    _B("PT Adi Pegas Mandiri", BuyerType.TIER_2, KAB_PASURUAN,
       "Kec. Beji, Kabupaten Pasuruan", "-7.600000", "112.750000", 260, 55,
       "Pegas ulir, pegas daun, klip dan wire forming untuk otomotif dan alat rumah tangga",
       ("spring-making", "heat-treatment", "stamping"), ("alloy-steel", "carbon-steel"), ("25999", "29300"),
       (("Pegas ulir", "7320.20"), ("Pegas daun", "7320.10")), "Eko Prasetyo"),
    _B("PT Dwi Plastik Komponen", BuyerType.TIER_2, KAB_KENDAL,
       "Kawasan Industri Kendal, Kec. Kaliwungu, Kabupaten Kendal", "-6.945000", "110.260000", 380, 70,
       "Injeksi plastik: cover bodi sepeda motor, part dashboard, panel alat rumah tangga",
       ("injection-moulding", "painting", "die-making"), ("plastic",), ("22299", "30912"),
       (("Cover bodi sepeda motor", "8714.10"), ("Panel dashboard", "8708.29")), "Hesti Wulandari"),
    _B("PT Cemerlang Pelapis Logam Nusantara", BuyerType.TIER_2, KAB_BEKASI,
       "Kec. Cikarang Barat, Kabupaten Bekasi", "-6.300000", "107.060000", 220, 45,
       "Pelapisan logam (seng, nikel-krom) dan powder coating untuk part otomotif",
       ("plating", "painting", "grinding"), ("carbon-steel", "sheet-steel"), ("25920",),
       (("Bracket berlapis seng", "8708.99"), ("Part krom sepeda motor", "8714.10")), "Joko Susilo"),
    # Heavy equipment
    _B("PT Baja Perkasa Alat Berat", BuyerType.HEAVY, KAB_SERANG,
       "Kawasan Industri Modern Cikande, Kec. Cikande, Kabupaten Serang", "-6.190000", "106.340000", 1200, 600,
       "Fabrikasi alat berat: bucket, boom, arm, rangka dump truck; machining pin dan bushing",
       ("welding", "sheet-metal", "cnc-machining", "painting"), ("carbon-steel", "alloy-steel"), ("25999",),
       (("Bucket ekskavator", "8431.41"), ("Boom dan arm", "8431.49")), "Robert Simanjuntak"),
    _B("PT Wira Traktor Manufaktur Indonesia", BuyerType.HEAVY, KAB_BEKASI,
       "Kawasan Industri Jababeka, Kec. Cikarang Utara, Kabupaten Bekasi", "-6.282000", "107.155000", 1500, 800,
       "Traktor pertanian dan forklift: rumah transmisi, rangka dan kabin",
       ("welding", "cnc-machining", "assembly", "painting", "casting"), ("carbon-steel", "cast-iron", "sheet-steel"),
       (), (("Kabin forklift", "8431.20"), ("Rumah transmisi", "8483.40")), "Sugeng Riyanto"),
    _B("PT Tangguh Fabrikasi Alat Berat", BuyerType.HEAVY, KAB_GRESIK,
       "Kawasan Industri JIIPE, Kec. Manyar, Kabupaten Gresik", "-7.070000", "112.610000", 900, 450,
       "Komponen alat berat tambang: vessel, track frame, part undercarriage; pengelasan robot",
       ("welding", "sheet-metal", "heat-treatment", "painting"), ("alloy-steel", "carbon-steel"), ("25999",),
       (("Vessel dump truck", "8707.90"), ("Track link", "8431.49")), "Hadi Purnomo"),
    # Appliances
    _B("PT Nirmala Peralatan Rumah Tangga", BuyerType.APPLIANCE, KAB_SEMARANG,
       "Kec. Bergas, Kabupaten Semarang", "-7.190000", "110.420000", 1900, 450,
       "Kulkas, mesin cuci dan dispenser air: part stamping, injeksi plastik dan pengecatan",
       ("stamping", "injection-moulding", "painting", "assembly"), ("sheet-steel", "plastic"), (),
       (("Kabinet kulkas", "8418.99"), ("Drum mesin cuci", "8450.90")), "Ayu Lestari"),
    _B("PT Kirana Kompresor Pendingin", BuyerType.APPLIANCE, KAB_BOGOR,
       "Kec. Citeureup, Kabupaten Bogor", "-6.480000", "106.880000", 1200, 380,
       "Kompresor dan unit AC split: part die casting, machining dan pipa tembaga",
       ("die-casting", "cnc-machining", "pipe-bending", "assembly"), ("aluminium", "copper-brass"), (),
       (("Rumah kompresor", "8414.90"), ("Pipa evaporator", "8415.90")), "Benny Tanoto"),
)  # fmt: skip
del _B

INVENTED_NIB_PREFIX = "81902019"
CERT_ISSUERS = ("TÜV Rheinland Indonesia", "BSI Group Indonesia", "PT Sucofindo", "SGS Indonesia")


def invented_nib(index: int) -> str:
    """NIB of invented buyer ``index``: ``8190 2019`` + 5 digits, apart from the story's ``8120…`` NIBs and the
    generated population's ``91…`` ones (:func:`jalin.demo.population.demo_nib`)."""
    return f"{INVENTED_NIB_PREFIX}{index + 1:05d}"


def _ensure_buyers(report) -> int:
    """Create the invented buyers that are missing (by NIB), through the registry services like the story's
    companies (:mod:`jalin.demo.companies`): logged, verified by the programme officer. Returns how many."""
    from jalin.accounts.models import User
    from jalin.demo.loader import USERS

    existing = set(Company.objects.filter(nib__startswith=INVENTED_NIB_PREFIX).values_list("nib", flat=True))
    todo = [(i, b) for i, b in enumerate(BUYERS_2019) if invented_nib(i) not in existing]
    if not todo:
        return 0
    verifier = User.objects.filter(email=USERS[0].email).first()
    regions = {r.code: r for r in Region.objects.filter(code__in={b.region for _i, b in todo})}
    processes = {p.code: p for p in Process.objects.all()}
    materials = {m.code: m for m in Material.objects.all()}
    kbli = {k.code: k for k in Kbli.objects.all()}
    certs = {c.code: c for c in CertificationType.objects.filter(code__in=["iso-9001", "iatf-16949", "iso-14001"])}
    today = timezone.localdate()
    created = 0
    for i, b in todo:
        region = regions.get(b.region)
        if region is None:
            continue
        area = AREA_CODES[b.region]
        slug = "".join(b.name.removeprefix("PT ").lower().split()[:2])
        company = company_services.create_company(
            actor=None,
            kind=CompanyKind.INDUSTRY,
            buyer_type=b.buyer_type,
            legal_name=b.name,
            nib=invented_nib(i),
            npwp=npwp16(f"07{201900 + i}", kpp=TAX_OFFICES[b.region[:2]]),
            region=region,
            address=b.address,
            latitude=Decimal(b.latitude),
            longitude=Decimal(b.longitude),
            workforce=b.workforce,
            investment=Decimal(b.investment * 1_000_000_000),
            products=b.products,
            hs_codes=", ".join(dict.fromkeys(hs for _n, hs in b.items)),
            contact_name=b.contact,
            phone=f"{area}-{(29_100_000 if len(area) == 3 else 410_000) + 7_919 * i}",
            email=f"pengadaan@{slug}.jalin.demo",
            processes=[processes[c] for c in b.processes if c in processes],
            materials=[materials[c] for c in b.materials if c in materials],
            kbli=[kbli[c] for c in b.kbli if c in kbli],
        )
        for name, hs_code in b.items:
            company_services.save_child(Product, actor=None, company=company, name=name, hs_code=hs_code)
        wanted = ["iso-9001"]
        if b.buyer_type in (BuyerType.APM_4W, BuyerType.APM_2W, BuyerType.TIER_1, BuyerType.TIER_2):
            wanted.append("iatf-16949")
        if b.workforce >= 1500:
            wanted.append("iso-14001")
        for n, code in enumerate(wanted):
            if code not in certs:
                continue
            valid_until = today + datetime.timedelta(days=180 + 37 * i + 90 * n)
            suffix = {"iso-9001": "QMS", "iso-14001": "EMS"}.get(code)
            serial = 60_000 + 173 * i + n
            company_services.save_child(
                Certification,
                actor=None,
                company=company,
                certification_type=certs[code],
                number=f"ID{serial}-{suffix}" if suffix else f"IATF 0{serial}",
                issuer=CERT_ISSUERS[(i + n) % len(CERT_ISSUERS)],
                valid_from=valid_until - datetime.timedelta(days=3 * 365),
                valid_until=valid_until,
            )
        company_services.verify_company(company, actor=verifier)
        created += 1
    if created:
        report(f"demo events: {created} invented buyer companies created for {REF_2019}")
    return created


# ----------------------------------------------------------------------------------------------- 2019


def _invite_candidates(buyers: list[Company]) -> dict[tuple[int, int], Candidate]:
    """Invitations drawn from the shortlist: rank each open need of ``buyers`` (the engine's refresh keeps the
    best few as suggested candidates), then shortlist and invite the best ``CANDIDATES_INVITED``, through the
    matching workflow. Returns the invited candidates by (buyer company, IKM company), the best-ranked need
    first."""
    needs = list(Need.objects.filter(buyer__in=buyers, status=NeedStatus.OPEN).order_by("reference"))
    note = f"Diundang ke temu bisnis {REF_2019}."
    for need in needs:
        matching.refresh_candidates(need, actor=None, top_k=CANDIDATES_RANKED)
        best = Candidate.objects.filter(need=need, rank__isnull=False).order_by("rank")[:CANDIDATES_INVITED]
        for candidate in best:
            if candidate.status == CandidateStatus.SUGGESTED:
                matching.transition(candidate, to=CandidateStatus.SHORTLISTED, actor=None)
            if candidate.status == CandidateStatus.SHORTLISTED:
                matching.transition(candidate, to=CandidateStatus.INVITED, actor=None, note=note)
    invited: dict[tuple[int, int], Candidate] = {}
    rows = Candidate.objects.filter(need__in=needs, status=CandidateStatus.INVITED).select_related("need", "company")
    for candidate in rows.order_by("rank", "need__reference"):
        invited.setdefault((candidate.need.buyer_id, candidate.company_id), candidate)
    return invited


def _spread_ikm(rng: random.Random, wanted: int, first: list[Company]) -> list[Company]:
    """``wanted`` IKM: ``first`` (the story's, the invited candidates), then the verified population
    round-robin over the regions."""
    chosen = list(dict.fromkeys(first))[:wanted]
    taken = {c.pk for c in chosen}
    by_region: dict[int, list[Company]] = {}
    population = (
        Company.objects.filter(kind=CompanyKind.IKM, verification=Verification.VERIFIED)
        .exclude(pk__in=taken)
        .order_by("region_id", "nib")
        .only("pk", "legal_name", "region_id", "nib", "kind")
    )
    for company in population:
        by_region.setdefault(company.region_id, []).append(company)
    for group in by_region.values():
        rng.shuffle(group)
    regions = sorted(by_region)
    while len(chosen) < wanted and any(by_region.values()):
        for region in regions:
            if by_region[region] and len(chosen) < wanted:
                chosen.append(by_region[region].pop())
    return chosen


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """``k`` distinct items, each drawn with chance in proportion to its weight (Efraimidis–Spirakis)."""
    keyed = sorted(zip(items, weights, strict=True), key=lambda iw: rng.random() ** (1.0 / iw[1]), reverse=True)
    return [item for item, _w in keyed[:k]]


#: How much interest a buyer draws from the IKM, by kind.
POPULARITY = {
    BuyerType.APM_4W: 3.0,
    BuyerType.APM_2W: 3.0,
    BuyerType.TIER_1: 2.0,
    BuyerType.HEAVY: 1.3,
    BuyerType.TIER_2: 1.0,
    BuyerType.APPLIANCE: 0.8,
}
#: How many buyers an IKM asks (or is asked by): 3 to 9.
REQUESTS_PER_IKM = (0.10, 0.18, 0.22, 0.20, 0.15, 0.10, 0.05)
REQUEST_STATUS = {
    "mutual": 0.2,
    RequestStatus.ACCEPTED: 0.5,
    RequestStatus.DECLINED: 0.12,
    RequestStatus.EXPIRED: 0.08,
    RequestStatus.PENDING: 0.06,
    RequestStatus.WITHDRAWN: 0.04,
}
PRIORITY_MIX = {Priority.MUST: 0.15, Priority.WANT: 0.5, Priority.MAYBE: 0.35}
NEXT_STEPS = {"none": 0.35, "sample": 0.3, "quotation": 0.2, "mou": 0.15}
INTEREST_OF = {"none": "low", "sample": "medium", "quotation": "medium", "mou": "high"}


@transaction.atomic
def _build_2019(report) -> dict | str:
    from .planning import schedule_event
    from .setup import expire_requests

    rng = random.Random(SEED)  # noqa: S311 - seeded demo data, not security
    story = {c.legal_name: c for c in Company.objects.filter(legal_name__in=[DHARMA, MADA, PATRIA, SADIYAH])}
    if DHARMA not in story or SADIYAH not in story:
        return MISSING
    story_ikm = list(Company.objects.filter(kind=CompanyKind.IKM, organisation__isnull=False).order_by("nib"))
    available = (
        len(story_ikm)
        + Company.objects.filter(
            kind=CompanyKind.IKM, organisation__isnull=True, verification=Verification.VERIFIED
        ).count()
    )
    if available < MIN_IKM_2019:
        return f"only {available} verified IKM in the registry, {MIN_IKM_2019} needed: load more demo companies"
    _ensure_buyers(report)
    story_buyers = [story[name] for name in (DHARMA, MADA, PATRIA) if name in story]
    buyers_c = sorted(
        [*story_buyers, *Company.objects.filter(kind=CompanyKind.INDUSTRY, nib__startswith=INVENTED_NIB_PREFIX)],
        key=lambda c: c.legal_name,
    )
    invited = _invite_candidates(story_buyers)
    candidate_ikm = Company.objects.in_bulk([ikm for _buyer, ikm in invited])
    ikm_c = _spread_ikm(rng, IKM_2019, [*story_ikm, *(candidate_ikm[ikm] for _buyer, ikm in invited)])
    days = [datetime.date(2019, 7, 23), datetime.date(2019, 7, 24)]
    event = _event(
        REF_2019,
        "Link and Match IKM Komponen Otomotif dengan APM 2019",
        days=days,
        status=EventStatus.OPEN,
        description=(
            "Temu bisnis dua hari antara IKM komponen otomotif dari sentra-sentra binaan dan industri pembeli "
            "(APM roda dua dan roda empat, Tier-1, Tier-2, alat berat, peralatan rumah tangga). Permintaan "
            "pertemuan dijadwalkan otomatis."
        ),
        venue="Gedung Kementerian Perindustrian, Jakarta",
        sessions=[
            ("Pagi", datetime.time(9, 0), datetime.time(12, 0)),
            ("Siang", datetime.time(13, 0), datetime.time(16, 0)),
        ],
        tables=TABLES_2019,
        max_meetings=IKM_CAP_2019,
    )
    tables = list(MeetingTable.objects.filter(event=event).order_by("position"))
    sessions = list(Session.objects.filter(event=event).order_by("date", "start"))
    Participant.objects.bulk_create(
        Participant(event=event, company=c, side=ParticipantSide.BUYER, max_meetings=BUYER_CAP_2019) for c in buyers_c
    )
    keep = {SADIYAH} | {c.legal_name for c in candidate_ikm.values()}
    ikm_rows = []
    for company in ikm_c:
        status = ParticipantStatus.REGISTERED
        if company.legal_name not in keep and rng.random() < 0.03:
            status = ParticipantStatus.CANCELLED
        ikm_rows.append(Participant(event=event, company=company, side=ParticipantSide.IKM, status=status))
    Participant.objects.bulk_create(ikm_rows)
    parts = Participant.objects.filter(event=event).select_related("company")
    buyers = list(parts.filter(side=ParticipantSide.BUYER).order_by("company__legal_name"))
    ikm = list(parts.filter(side=ParticipantSide.IKM).order_by("company__nib"))
    buyer_of = {b.company_id: b for b in buyers}
    ikm_of = {p.company_id: p for p in ikm}
    # Some IKM come for one day or one session only.
    through = Participant.available_sessions.through
    links = []
    for p in ikm:
        roll = rng.random()
        if roll < 0.12:
            day = rng.randrange(2)
            links += [through(participant_id=p.pk, session_id=s.pk) for s in sessions[2 * day : 2 * day + 2]]
        elif roll < 0.18:
            links.append(through(participant_id=p.pk, session_id=rng.choice(sessions).pk))
    through.objects.bulk_create(links)

    # Requests. The 2018 pair first, then the invited candidates asking their buyer about the need, then
    # every IKM asks three to nine buyers (or is asked by them), the popular ones more often.
    answered = _at(days[0], 10) - datetime.timedelta(days=10)
    expires = _at(days[0], 0) - datetime.timedelta(days=3)
    requests: list[MeetingRequest] = []
    met: set[tuple[int, int]] = set()  # (IKM, buyer) participant pairs already asked, either way
    dharma, sadiyah = buyer_of[story[DHARMA].pk], ikm_of[story[SADIYAH].pk]

    def ask(requester, recipient, *, priority, status, candidate=None, message=""):
        pair = (requester.pk, recipient.pk) if requester.side == ParticipantSide.IKM else (recipient.pk, requester.pk)
        met.add(pair)
        requests.append(
            MeetingRequest(
                event=event,
                requester=requester,
                recipient=recipient,
                candidate=candidate,
                priority=priority,
                mutual=status == "mutual",
                status=RequestStatus.ACCEPTED if status == "mutual" else status,
                responded_at=answered if status in ("mutual", RequestStatus.ACCEPTED, RequestStatus.DECLINED) else None,
                decline_reason=_decline_reason(rng) if status == RequestStatus.DECLINED else "",
                expires_at=expires,
                message=message,
            )
        )

    ask(
        sadiyah,
        dharma,
        priority=Priority.MUST,
        status="mutual",
        candidate=invited.get((story[DHARMA].pk, story[SADIYAH].pk)),
        message="Melanjutkan kemitraan knalpot sejak 2018.",
    )
    for (buyer_id, ikm_id), candidate in invited.items():
        buyer, p = buyer_of.get(buyer_id), ikm_of.get(ikm_id)
        if buyer is None or p is None or (p.pk, buyer.pk) in met:
            continue
        ask(
            p,
            buyer,
            priority=Priority.MUST if rng.random() < 0.4 else Priority.WANT,
            status="mutual" if rng.random() < 0.3 else RequestStatus.ACCEPTED,
            candidate=candidate,
            message=f"Tentang kebutuhan {candidate.need.reference}: {candidate.need.title}"[:500],
        )
    weights = [3.0 if b == dharma else POPULARITY.get(b.company.buyer_type, 1.0) for b in buyers]
    for p in ikm:
        k = 3 + _index(rng, REQUESTS_PER_IKM)
        mix = REQUEST_STATUS
        if p == sadiyah:  # ikm@jalin.demo: a full agenda, and a request or two still to answer
            k, mix = max(k, 7), {"mutual": 0.3, RequestStatus.ACCEPTED: 0.45, RequestStatus.PENDING: 0.25}
        for buyer in _weighted_sample(rng, buyers, weights, k):
            if (p.pk, buyer.pk) in met:
                continue
            buyer_asks = rng.random() < 0.25
            requester, recipient = (buyer, p) if buyer_asks else (p, buyer)
            ask(
                requester,
                recipient,
                priority=_pick(rng, PRIORITY_MIX),
                status=_pick(rng, mix),
                message="" if rng.random() < 0.6 else "Kami tertarik membahas kebutuhan komponen Anda.",
            )
    MeetingRequest.objects.bulk_create(requests)

    # Fixed tables for the buyers most asked for (Dharma at "Meja 1"); the others share the rest.
    asked = Counter(r.recipient_id if r.recipient.side == ParticipantSide.BUYER else r.requester_id for r in requests)
    ranked = sorted(buyers, key=lambda b: (b != dharma, -asked[b.pk], b.company.legal_name))
    for buyer, table in zip(ranked[:FIXED_TABLES_2019], tables, strict=False):
        buyer.fixed_table = table
    Participant.objects.bulk_update(ranked[:FIXED_TABLES_2019], ["fixed_table"])

    Event.objects.filter(pk=event.pk).update(status=EventStatus.PUBLISHED)
    event.refresh_from_db()
    expire_requests(event)  # publishing closes requests: what was still pending expires, as on the pages
    # Scheduled on the eve of the event (the event is in 2019), in deterministic time with one worker: every
    # load of the demo gets the same schedule.
    eve = datetime.datetime.combine(event.starts_on, datetime.time(0, 0), tzinfo=datetime.UTC)
    run = schedule_event(event, actor=None, time_limit=SCHEDULE_TIME_LIMIT, workers=1, deterministic=True, now=eve)

    # The day itself: check-in, most meetings held, some no-shows (a few rescheduled), some not yet marked.
    meetings = list(
        Meeting.objects.filter(event=event, status=MeetingStatus.SCHEDULED)
        .select_related("slot", "request__requester__company", "request__recipient__company", "request__candidate")
        .order_by("slot__index", "table__position")
    )
    no_shows, held = [], []
    for meeting in meetings:
        if _is_sadiyah_dharma(meeting) or meeting.request.candidate_id:
            held.append(meeting)
            continue
        roll = rng.random()
        if roll < 0.07:
            absent = _ikm_side(meeting) if rng.random() < 0.75 else _buyer_side(meeting)
            services.mark_no_show(meeting, actor=None, participant=absent)
            no_shows.append(meeting)
        elif roll < 0.93:
            held.append(meeting)
    rescheduled = 0
    for meeting in no_shows[:RESCHEDULED_2019]:
        try:
            new = services.reschedule(meeting, actor=None, after=meeting.slot.ends_at)
        except services.BookingError:
            continue
        held.append(
            Meeting.objects.select_related(
                "slot", "request__requester__company", "request__recipient__company", "request__candidate"
            ).get(pk=new.pk)
        )
        rescheduled += 1

    # Outcomes: recording one marks the meeting held; held meetings nobody answered for are marked so.
    recorded = 0
    for meeting in held:
        buyer, company = _buyer_side(meeting), _ikm_side(meeting)
        if _is_sadiyah_dharma(meeting):  # left for ikm@jalin.demo to record; the buyer has answered
            _record(meeting, buyer, "high", "quotation", "Minta penawaran knalpot tipe baru.")
            recorded += 1
            continue
        from_candidate = meeting.request.candidate_id is not None
        step = _pick(rng, {"none": 0.1, "sample": 0.4, "quotation": 0.3, "mou": 0.2} if from_candidate else NEXT_STEPS)
        answers = 0
        if from_candidate or rng.random() < BUYER_ANSWERS:
            _record(meeting, buyer, INTEREST_OF[step], step)
            answers += 1
        if rng.random() < IKM_ANSWERS:
            other = step if rng.random() < 0.7 else _pick(rng, {"none": 0.4, "sample": 0.4, "quotation": 0.2})
            _record(meeting, company, "high" if other == "mou" else INTEREST_OF[step], other)
            answers += 1
        if not answers:
            services.mark_held(meeting, actor=None)
        recorded += answers
    present = set()
    for meeting in held:
        present |= {meeting.request.requester_id, meeting.request.recipient_id}
    arrivals = []
    for p in Participant.objects.filter(pk__in=present):
        p.checked_in_at = _at(event.starts_on, 8, 15 + p.pk % 40)
        arrivals.append(p)
    Participant.objects.bulk_update(arrivals, ["checked_in_at"])

    linked = MeetingRequest.objects.filter(event=event, candidate__isnull=False)
    moved = Candidate.objects.filter(
        pk__in=linked.values("candidate_id"), status__in=[CandidateStatus.MET, CandidateStatus.EVALUATING]
    ).count()
    return {
        "buyers": len(buyers),
        "IKM": len(ikm),
        "requests": len(requests),
        "meetings": run.meetings,
        "held": len(held),
        "no-shows": len(no_shows),
        "rescheduled": rescheduled,
        "outcomes": recorded,
        "candidates invited": len(invited),
        "candidates moved": moved,
        "solve s": run.seconds,
    }


def _index(rng: random.Random, weights) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]


def _decline_reason(rng: random.Random) -> str:
    return rng.choice(
        (
            "Kapasitas kami sudah penuh untuk tahun ini.",
            "Proses yang dibutuhkan belum sesuai dengan kemampuan kami.",
            "Belum ada kebutuhan untuk komponen ini.",
        )
    )


def _buyer_side(meeting: Meeting) -> Participant:
    r = meeting.request
    return r.requester if r.requester.side == ParticipantSide.BUYER else r.recipient


def _ikm_side(meeting: Meeting) -> Participant:
    r = meeting.request
    return r.recipient if r.requester.side == ParticipantSide.BUYER else r.requester


def _is_sadiyah_dharma(meeting: Meeting) -> bool:
    names = {meeting.request.requester.company.legal_name, meeting.request.recipient.company.legal_name}
    return names == {SADIYAH, DHARMA}
