"""The demo buyers' component needs, written through the needs services (so they are checked and logged).

Real (PRODUCT.md): the three buyers and what they make — PT Dharma Polimetal (Tier-1 of motorcycle frames,
fuel tanks and stamping parts), PT Mada Wikri Tunggal (Tier-1 of stamping and welded sub-assemblies) and
PATRIA (heavy-equipment attachments and fabrication) — and that they buy from IKM of Kabupaten Tegal.
Invented: every need, volume, price, import value and date. Buyers write in English, Indonesian or both.

Idempotent: a need is keyed by its reference; one that exists is left as it is. A buyer whose registry profile
is missing (the registry's demo did not run) is skipped; a plant that is missing leaves the delivery plant empty.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jalin.companies.models import CertificationType, Company, CompanyKind, Material, Plant, Process

from . import services
from .models import Need, NeedStatus, Visibility, VolumeUnit

#: The year in the demo references: fixed, so that a later run finds the same needs.
YEAR = 2026
MILLION = 1_000_000


@dataclass(frozen=True)
class DemoNeed:
    buyer: str  # Company.legal_name
    number: int  # the reference is <buyer initials>-YEAR-<number>
    title: str
    description: str
    part_category: str
    hs_code: str
    processes: tuple[str, ...]
    materials: tuple[str, ...]
    annual_volume: int
    required: tuple[str, ...] = ("iso-9001",)
    preferred: tuple[str, ...] = ()
    volume_unit: str = VolumeUnit.PIECES
    target_price: int | None = None
    max_defect_ppm: int | None = None
    plant: str = "Plant Cikarang"
    start_in_days: int = 120
    imported: bool = False
    import_value: int | None = None
    visibility: str = Visibility.OPEN
    status: str = NeedStatus.OPEN
    hard_filter: bool = True


DHARMA = "PT Dharma Polimetal"
MADA = "PT Mada Wikri Tunggal"
PATRIA = "PT United Tractors Pandu Engineering (PATRIA)"

NEEDS: tuple[DemoNeed, ...] = (
    DemoNeed(
        DHARMA,
        1,
        "Muffler assembly for 110cc scooter",
        "Complete muffler (silencer) with heat shield and mounting bracket for a 110cc automatic scooter. "
        "Body from SPCC sheet 1.0 mm, inner pipes STKM 28.6 mm, MIG-welded, heat-resistant black coating. "
        "Leak test 100%. Packaging: returnable pallet, 40 pcs.",
        "exhaust",
        "8714.10",
        ("pipe-bending", "welding", "sheet-metal", "painting"),
        ("steel-pipe", "sheet-steel"),
        60_000,
        preferred=("iatf-16949",),
        target_price=185_000,
        max_defect_ppm=500,
        imported=True,
        import_value=11_100 * MILLION,
        start_in_days=150,
    ),
    DemoNeed(
        DHARMA,
        2,
        "Bracket dudukan spion (mirror stay bracket)",
        "Bracket dudukan spion kiri dan kanan untuk sepeda motor bebek. Pelat SPHC 2,3 mm, proses blanking, "
        "bending dan piercing, pelapisan zinc (electro galvanis) 8 mikron. Toleransi lubang ±0,1 mm.",
        "part stamping",
        "8714.10",
        ("stamping", "plating"),
        ("sheet-steel",),
        240_000,
        target_price=4_200,
        max_defect_ppm=300,
        start_in_days=90,
    ),
    DemoNeed(
        DHARMA,
        3,
        "Pipa rangka depan (front down tube) tekuk CNC",
        "Pipa rangka depan (down tube) untuk rangka sepeda motor 125cc: pipa STKM 13C Ø 31,8 × 2,0 mm ditekuk CNC "
        "tiga radius, ujung di-notching, siap las robot. Gambar dan toleransi menyusul setelah undangan.",
        "frame parts",
        "8714.10",
        ("pipe-bending", "welding"),
        ("steel-pipe",),
        90_000,
        preferred=("iatf-16949",),
        target_price=38_500,
        max_defect_ppm=200,
        plant="Plant Karawang",
        visibility=Visibility.INVITATION,
        start_in_days=200,
    ),
    DemoNeed(
        DHARMA,
        4,
        "Fuel tank cap bracket",
        "Small stamped bracket holding the fuel-tank cap hinge. Draft: waiting for the final drawing from R&D.",
        "stamping part",
        "8714.10",
        ("stamping",),
        ("sheet-steel",),
        120_000,
        status=NeedStatus.DRAFT,
        start_in_days=240,
    ),
    DemoNeed(
        MADA,
        1,
        "Reinforcement plate, 4-wheel body (stamping)",
        "Reinforcement plate for the B-pillar of a low-cost green car. SPCC 1.6 mm, progressive die (buyer "
        "can lend the die), spot-weld nuts M6 × 2. Marking of lot number required.",
        "stamping part",
        "8708.29",
        ("stamping", "die-making", "welding"),
        ("sheet-steel",),
        180_000,
        preferred=("iatf-16949", "iso-14001"),
        target_price=9_800,
        max_defect_ppm=100,
        hard_filter=False,
    ),
    DemoNeed(
        MADA,
        2,
        "Baut flens khusus M8 × 1,25 (special flange bolt)",
        "Baut flens M8 × 1,25 panjang 20 mm, kelas kekuatan 8.8, dibubut dan dirol ulir, perlakuan panas, "
        "pelapisan zinc flake. Saat ini diimpor dari Thailand.",
        "fasteners",
        "7318.15",
        ("turning", "heat-treatment", "plating"),
        ("carbon-steel",),
        500_000,
        target_price=950,
        max_defect_ppm=50,
        imported=True,
        import_value=475 * MILLION,
        start_in_days=180,
    ),
    DemoNeed(
        MADA,
        3,
        "Stay bracket sub-assy las",
        "Sub-assy stay bracket (3 part stamping + 2 mur las) untuk rangka jok sepeda motor. Sudah diberikan kepada "
        "pemasok IKM dari Kabupaten Tegal setelah uji sampel.",
        "welded sub-assembly",
        "8714.10",
        ("stamping", "welding"),
        ("sheet-steel",),
        150_000,
        target_price=6_700,
        max_defect_ppm=300,
        status=NeedStatus.AWARDED,
        start_in_days=30,
    ),
    DemoNeed(
        PATRIA,
        1,
        "Bushing for track roller (bos track roller)",
        "Bushing (bos) for the track roller of a 20-ton excavator. Alloy steel SCM440, turned and bored, "
        "induction-hardened to 52–58 HRC, OD ground h7. Imported from Japan today.",
        "bushing",
        "8431.49",
        ("turning", "heat-treatment", "grinding"),
        ("alloy-steel",),
        8_000,
        target_price=165_000,
        max_defect_ppm=1_000,
        imported=True,
        import_value=1_320 * MILLION,
        start_in_days=120,
    ),
    DemoNeed(
        PATRIA,
        2,
        "Pin bucket excavator 20 ton",
        "Pin bucket Ø 80 × 620 mm, material S45C / SCM440, chrome plated, hardening. Dikirim ke Plant Cikarang "
        "dan sebagian ke workshop Balikpapan.",
        "pins",
        "8431.49",
        ("turning", "heat-treatment", "grinding", "plating"),
        ("alloy-steel", "carbon-steel"),
        3_000,
        target_price=1_250_000,
        imported=True,
        import_value=3_750 * MILLION,
        start_in_days=160,
    ),
    DemoNeed(
        PATRIA,
        3,
        "Coran rumah bearing (bearing housing casting) FCD 450",
        "Rumah bearing hasil coran besi FCD 450, berat ±18 kg, dimesin CNC pada dudukan bearing (H7). "
        "Sertifikat material tiap lot. Hanya untuk IKM pengecoran yang diundang.",
        "casting",
        "8483.30",
        ("casting", "cnc-machining"),
        ("cast-iron",),
        1_200,
        target_price=780_000,
        max_defect_ppm=2_000,
        visibility=Visibility.INVITATION,
        start_in_days=210,
    ),
    DemoNeed(
        PATRIA,
        4,
        "Fabricated bracket set for dump-truck vessel",
        "Set of six welded brackets for a 30 m³ dump-truck vessel, plate SS400 12–20 mm, primer + top coat. "
        "Closed after the 2025 tender; kept for the record.",
        "fabrication",
        "8707.90",
        ("welding", "sheet-metal", "painting"),
        ("carbon-steel",),
        2_400,
        volume_unit=VolumeUnit.SETS,
        required=("iso-9001", "smk3"),
        target_price=2_900_000,
        plant="Workshop Balikpapan",
        status=NeedStatus.CLOSED,
        start_in_days=60,
    ),
    DemoNeed(
        PATRIA,
        5,
        "Mata angkat tempa (forged lifting eye)",
        "Lifting eye tempa untuk attachment, baja paduan, uji beban 2× SWL dengan sertifikat. Forged, "
        "normalised, shot-blasted; thread M24 machined.",
        "forging",
        "7326.19",
        ("forging", "heat-treatment", "turning"),
        ("alloy-steel",),
        5_000,
        preferred=("iso-14001",),
        target_price=210_000,
        imported=True,
        import_value=1_050 * MILLION,
        start_in_days=240,
    ),
)


@dataclass
class NeedsResult:
    created: int = 0
    existing: int = 0
    skipped: int = 0


def demo_reference(buyer: Company, number: int) -> str:
    return f"{services.buyer_initials(buyer)}-{YEAR}-{number:03d}"


def load_demo_needs(report: Callable[[str], None] = lambda message: None) -> NeedsResult:
    """Create the demo buyers' needs that do not exist yet; report what was done."""
    result = NeedsResult()
    buyers = {
        c.legal_name: c
        for c in Company.objects.filter(kind=CompanyKind.INDUSTRY, legal_name__in=[DHARMA, MADA, PATRIA])
    }
    today = timezone.localdate()
    for item in NEEDS:
        buyer = buyers.get(item.buyer)
        if buyer is None:
            result.skipped += 1
            continue
        reference = demo_reference(buyer, item.number)
        if Need.objects.filter(reference=reference).exists():
            result.existing += 1
            continue
        with transaction.atomic():
            _create(item, buyer, reference, today)
        result.created += 1
    if result.created:
        report(f"demo needs: {result.created} created")
    if result.skipped:
        report(f"demo needs: {result.skipped} skipped (the buyers' registry profiles are missing)")
    return result


def _create(item: DemoNeed, buyer: Company, reference: str, today: datetime.date) -> Need:
    need = services.create_need(
        actor=None,
        buyer=buyer,
        reference=reference,
        title=item.title,
        description=item.description,
        part_category=item.part_category,
        hs_code=item.hs_code,
        processes=list(Process.objects.filter(code__in=item.processes)),
        materials=list(Material.objects.filter(code__in=item.materials)),
        annual_volume=item.annual_volume,
        volume_unit=item.volume_unit,
        target_price=Decimal(item.target_price) if item.target_price is not None else None,
        required_certifications=list(CertificationType.objects.filter(code__in=item.required)),
        preferred_certifications=list(CertificationType.objects.filter(code__in=item.preferred)),
        max_defect_ppm=item.max_defect_ppm,
        delivery_plant=Plant.objects.filter(company=buyer, name=item.plant).first(),
        start_date=today + datetime.timedelta(days=item.start_in_days),
        imported=item.imported,
        annual_import_value=Decimal(item.import_value) if item.import_value is not None else None,
        visibility=item.visibility,
        hard_filter=item.hard_filter,
    )
    for step in services.transition_path(NeedStatus.DRAFT, item.status) or []:
        services.set_status(need, actor=None, status=step)
    return need
