"""The labelled set for ``bench/matching_quality.py``: a seeded population with a hidden truth, needs, grades.

Each company has a **hidden true profile** — which part families it really makes (from the trades and
clusters of ``jalin.demo.vocabulary``), its true processes and materials, its true monthly capacity, its
certificates with their dates — and a **visible profile** written from it with the noise of real IKM
records: products written in Indonesian, slang or English (the cluster's share of English descriptions),
abbreviations and the demo's common misspellings plus random letter slips, families left out of the
description, descriptions missing altogether; the structured fields missing as often as in the registry
(about 30% of profiles sparse: no processes, no materials, no capacity, no location), single processes
and materials forgotten. The engine and the baseline see only the visible profile.

Needs are written the way buyers write them (English or mixed, volumes, certificates, the delivery plant)
and graded from the hidden truth:

* 3 — makes the part family, holds every required certificate valid on the need's date, has the capacity
  for the monthly volume, and the preferred certificates;
* 2 — makes the family but misses a soft criterion (capacity or a preferred certificate);
* 1 — adjacent: misses a required certificate, or makes another family of the same trade, or has every
  core process of the family (right process, different part);
* 0 — unrelated.

Distance and verification are not part of the grade. Surface forms were written from DOMAIN.md and the
demo vocabulary before the engine was tuned; the lexicon was not generated from them.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from jalin.demo.vocabulary import (
    ABBREVIATIONS,
    CLUSTERS,
    MOTORS,
    NAME_FIRST,
    NAME_SECOND,
    PREFIXES,
    SUFFIXES,
    TRADES,
    TYPOS,
)

SEED = 4
AS_OF = date(2025, 6, 1).toordinal()

#: Rough centroids of the cluster regencies (bench only; the product uses the region table).
CENTRES = {
    "33.28": (-6.98, 109.14),
    "33.76": (-6.87, 109.13),
    "33.03": (-7.39, 109.36),
    "33.10": (-7.71, 110.60),
    "35.15": (-7.45, 112.72),
    "35.14": (-7.65, 112.90),
    "32.16": (-6.25, 107.15),
    "32.15": (-6.30, 107.30),
    "32.01": (-6.55, 106.80),
    "36.03": (-6.20, 106.48),
}
PLANTS = {
    "Cikarang": (-6.30, 107.15),
    "Karawang": (-6.36, 107.30),
    "Sunter, Jakarta": (-6.14, 106.87),
    "Tangerang": (-6.18, 106.63),
    "Pasuruan": (-7.62, 112.85),
    "Semarang": (-6.97, 110.42),
}


@dataclass(frozen=True)
class Family:
    key: str
    trade: str
    core: tuple[str, ...]  # processes needed to make it (hidden truth)
    materials: tuple[str, ...]
    hs: str
    ikm_id: tuple[str, ...]  # how IKM write it (Indonesian, slang)
    ikm_en: tuple[str, ...]  # how IKM write it in English
    buyer: tuple[str, ...]  # how buyers write it (English, some mixed)
    vehicle: str  # moto / car / truck / heavy / any


F = Family
# fmt: off
FAMILIES = (
    F("exhaust", "knalpot", ("pipe-bending", "welding"), ("steel-pipe", "stainless-steel"), "8714.10",
      ("knalpot racing", "knalpot standar {motor}", "knalpot racing custom {motor}", "leher knalpot", "silincer",
       "tabung knalpot", "knalpot brong", "knalpot kolong pick up", "knalpod racing", "sarangan knalpot", "kenalpot"),
      ("motorcycle exhaust", "muffler & silencer", "exhaust pipes", "racing exhaust"),
      ("muffler assembly", "exhaust muffler", "silencer assy", "exhaust pipe", "muffler", "exhaust system"), "moto"),
    F("brake-drum", "cast-iron", ("casting", "turning"), ("cast-iron",), "8708.30",
      ("tromol rem", "tromol rem truk", "tromol", "teromol", "cor tromol FC25"),
      ("brake drums", "iron brake drums"), ("brake drum", "cast iron brake drum", "rear brake drum"), "truck"),
    F("pulley", "cast-iron", ("casting", "turning"), ("cast-iron",), "8483.50",
      ("pulley besi cor", "pully", "flywheel", "roda gila", "puli mesin"),
      ("pulleys", "flywheels", "cast iron pulleys"), ("V-belt pulley", "flywheel", "crankshaft pulley"), "any"),
    F("pump-housing", "cast-iron", ("casting",), ("cast-iron",), "8413.91",
      ("rumah pompa", "casing pompa", "impeler pompa", "body pompa air"),
      ("pump housings", "pump casing & impeller"), ("water pump housing", "pump casing", "pump body casting"), "any"),
    F("cast-bracket", "cast-iron", ("casting",), ("cast-iron",), "8708.99",
      ("dudukan mesin besi cor", "bracket cor", "housing gearbox cor", "hub roda cor"),
      ("cast engine brackets", "gearbox housings (cast)"),
      ("cast iron engine bracket", "gearbox housing casting", "ductile iron bracket"), "truck"),
    F("counterweight", "cast-iron", ("casting",), ("cast-iron",), "8431.20",
      ("pemberat / counterweight", "bandul pemberat", "grill & manhole besi cor", "blok pemberat forklift"),
      ("counterweights",), ("counterweight", "cast iron counterweight for forklift"), "heavy"),
    F("alu-casting", "cast-nonferrous", ("casting",), ("aluminium",), "8714.10",
      ("tutup kopling aluminium", "cover magnet", "kepala silinder", "cor alumunium part motor", "blok silinder"),
      ("aluminium die cast covers", "cylinder heads"),
      ("aluminium clutch cover", "die-cast aluminium cover", "cylinder head casting"), "moto"),
    F("brass-bushing", "cast-nonferrous", ("casting", "turning"), ("copper-brass",), "8483.30",
      ("bushing kuningan", "bos kuningan", "bronze bushing", "kran & fitting kuningan", "coran kuningan"),
      ("brass bushings", "bronze bushes"), ("bronze bushing", "brass bush"), "any"),
    F("shaft", "machining", ("turning",), ("carbon-steel", "alloy-steel"), "8483.10",
      ("as roda", "as roda depan/belakang {motor}", "poros", "as poros", "shaft mesin", "as custom"),
      ("shafts", "axle shafts", "precision shafts"), ("axle shaft", "drive shaft", "rear axle", "shaft"), "moto"),
    F("bushing-pin", "machining", ("turning",), ("carbon-steel",), "8483.30",
      ("bos", "bushing", "pin", "pen", "bos arm", "collar", "pin alat berat", "bushing baja"),
      ("bushings & pins", "steel pins"), ("steel bushing", "pin", "track pin", "spacer collar"), "heavy"),
    F("machined-part", "machining", ("turning", "milling"), ("carbon-steel",), "8409.99",
      ("part mesin sesuai drawing", "flange", "bubut cnc part", "jig & fixture", "komponen presisi",
       "part mesin produksi"),
      ("machined parts to drawing", "precision machined flanges"),
      ("CNC machined flange", "precision machined part", "machined housing"), "any"),
    F("stamped-bracket", "stamping", ("stamping",), ("sheet-steel",), "8708.29",
      ("bracket", "braket lampu", "stay", "dudukan aki", "dudukan plat nomor", "dudukan spion", "reinforcement",
       "bracket knalpot"),
      ("stamped brackets", "press parts (stays, reinforcements)"),
      ("stamped bracket", "mounting bracket", "battery bracket", "pressed steel stay"), "car"),
    F("stand-footstep", "stamping", ("stamping", "welding"), ("sheet-steel", "carbon-steel"), "8714.10",
      ("standar samping", "standar tengah", "footstep", "pedal rem", "pijakan kaki"),
      ("side stands", "footrests"), ("side stand", "main stand", "footrest bracket", "brake pedal"), "moto"),
    F("bolt-nut", "fasteners", (), ("carbon-steel",), "7318.15",
      ("mur baut", "baut mur", "baut", "mur", "ring plat", "baut L", "paku keling", "baut mur kelas 8.8",
       "bolt & nut M6-M16", "baud"),
      ("bolts, nuts and washers", "hex bolts"), ("hex bolt M8", "flange bolt", "hex nut", "bolts and nuts"), "any"),
    F("special-bolt", "fasteners", (), ("carbon-steel", "alloy-steel"), "7318.15",
      ("baut roda", "mur roda", "baut U (U-bolt)", "baut tanam", "stud bolt"),
      ("wheel bolts", "U-bolts"), ("wheel hub bolt", "U-bolt for leaf spring", "wheel nut", "stud bolt"), "truck"),
    F("leaf-spring", "springs", ("spring-making", "heat-treatment"), ("alloy-steel",), "7320.10",
      ("per daun", "per daun truk", "pegas daun", "rekondisi per daun", "per truk"),
      ("leaf springs",), ("leaf spring", "parabolic leaf spring", "leaf spring assembly"), "truck"),
    F("coil-spring", "springs", ("spring-making",), ("alloy-steel",), "7320.20",
      ("per keong", "pegas ulir", "per kopling", "per shock", "per tekan", "per tarik", "per standar samping"),
      ("coil springs", "compression springs"),
      ("coil spring", "compression spring", "clutch spring", "suspension coil spring"), "moto"),
    F("brake-lining", "brakes", (), ("sheet-steel",), "8708.30",
      ("kampas rem", "kampas rem tromol", "kampas rem cakram", "brake shoe", "lining rem truk", "kanvas rem"),
      ("brake shoes & brake pads", "brake linings"), ("brake shoe", "disc brake pad", "brake pad", "brake lining"),
      "moto"),
    F("clutch-plate", "brakes", (), ("sheet-steel",), "8714.10",
      ("kampas kopling", "plat kopling"), ("clutch plates",), ("clutch plate", "clutch friction disc"), "moto"),
    F("rubber-seal", "rubber", ("rubber-moulding",), ("rubber",), "4016.93",
      ("sil oli", "seal", "paking karet", "o-ring", "karet pintu", "karet kaca mobil", "paking"),
      ("oil seals", "rubber gaskets & o-rings"), ("oil seal", "rubber gasket", "O-ring", "door weatherstrip seal"),
      "car"),
    F("rubber-mount", "rubber", ("rubber-moulding",), ("rubber",), "4016.99",
      ("karet dudukan mesin", "engine mounting", "karet peredam getaran", "bushing karet", "karet stabil",
       "karet bumper", "grommet", "karet tutup debu"),
      ("rubber engine mounts", "anti-vibration rubber"),
      ("rubber engine mount", "anti-vibration rubber damper", "rubber bushing", "rubber grommet"), "car"),
    F("plastic-cover", "plastic", ("injection-moulding",), ("plastic",), "8714.10",
      ("cover lampu", "spakbor plastik", "bodi halus motor", "tutup aki", "tutup tangki", "trim interior",
       "cover kabel"),
      ("lamp housings", "plastic covers"),
      ("plastic lamp cover", "front fender (plastic)", "battery cover", "interior trim panel"), "moto"),
    F("plastic-clip", "plastic", ("injection-moulding",), ("plastic",), "3926.90",
      ("klip plastik", "fastener plastik", "grommet nylon", "klip"), ("plastic clips",),
      ("plastic clip", "nylon retainer clip", "wire harness clip"), "car"),
    F("frame", "fabrication", ("welding",), ("carbon-steel", "steel-pipe"), "8714.10",
      ("rangka motor roda tiga", "sasis gerobak motor", "rangka", "rangka mesin & conveyor", "sasis"),
      ("welded frames", "chassis parts"), ("welded frame", "three-wheeler chassis", "seat frame", "subframe"), "any"),
    F("tank-fender", "fabrication", ("sheet-metal", "welding"), ("sheet-steel",), "8714.10",
      ("tangki bensin", "tangki", "spakbor besi", "box", "tanki"), ("fuel tanks", "steel fenders"),
      ("fuel tank", "steel fuel tank", "steel mudguard"), "moto"),
    F("truck-body", "fabrication", ("sheet-metal", "welding"), ("sheet-steel", "carbon-steel"), "8707.90",
      ("bak truk", "karoseri", "bak pick up", "bodi karoseri"), ("truck bodies",),
      ("truck cargo body", "dump body", "pick-up cargo box"), "truck"),
    F("forged-part", "forging", ("forging",), ("carbon-steel", "alloy-steel"), "8708.50",
      ("yoke", "flange tempa", "knuckle", "part tempa", "pin & link alat berat", "hot forging part"),
      ("forged yokes & flanges", "forged knuckles"),
      ("forged yoke", "steering knuckle forging", "forged flange", "hot forged part"), "car"),
    F("hand-tool", "forging", ("forging",), ("carbon-steel",), "8204.11",
      ("kunci roda", "kunci ring pas", "linggis", "kunci"), ("forged hand tools",),
      ("wheel wrench", "combination spanner", "tire iron"), "car"),
    F("plating", "plating", ("plating",), ("carbon-steel",), "",
      ("pelapisan krom", "zinc plating", "galvanis", "electroplating", "nikel krom", "powder coating"),
      ("zinc plating", "chrome plating"), ("zinc plating service", "chrome plating", "trivalent zinc plating"), "any"),
    F("sprocket", "gears", ("heat-treatment",), ("carbon-steel", "alloy-steel"), "8714.10",
      ("gir sproket", "sproket", "gir depan belakang", "gear set", "gir set"),
      ("motorcycle sprockets", "sprocket sets"), ("rear sprocket", "drive sprocket", "sprocket 428"), "moto"),
    F("gear", "gears", ("turning", "heat-treatment"), ("alloy-steel",), "8483.40",
      ("roda gigi", "gear custom", "gear helical", "gear box repair", "gigi"), ("spur & helical gears",),
      ("spur gear", "helical gear", "transmission gear"), "any"),
    F("spoke-rim", "wheels", (), ("carbon-steel", "stainless-steel"), "8714.10",
      ("jari-jari", "ruji", "velg", "nipel", "jari2", "pelek"), ("spokes & nipples", "wheel rims"),
      ("wheel spoke", "spoke nipple", "wheel rim"), "moto"),
    F("press-die", "tooling", ("die-making",), ("alloy-steel",), "8207.30",
      ("dies press", "cetakan pres", "progressive die", "jig & fixture", "checking fixture", "dies stamping"),
      ("press dies", "progressive dies"), ("progressive die", "stamping die", "checking fixture"), "any"),
    F("plastic-mould", "tooling", ("die-making",), ("alloy-steel",), "8480.71",
      ("mould injeksi plastik", "cetakan plastik", "cetakan karet", "mold"), ("plastic injection moulds",),
      ("injection mould", "plastic mold", "die casting die"), "any"),
    F("agri-tool", "agri-tools", (), ("carbon-steel",), "8201.30",
      ("cangkul", "sabit", "mata bajak", "garpu", "spare part hand traktor", "alat pertanian"),
      ("agricultural hand tools",), ("hoe blade", "plough share", "hand tractor spare parts"), "any"),
)
FAMILY = {f.key: f for f in FAMILIES}
BY_TRADE: dict[str, list[Family]] = {}
for _f in FAMILIES:
    BY_TRADE.setdefault(_f.trade, []).append(_f)

#: How IKM write a process or a material (a few words each; not the engine's lexicon).
PROCESS_WORDS = {
    "turning": ("bubut", "bubut CNC", "turning", "bubut konvensional"),
    "milling": ("frais", "milling", "frais cnc"),
    "cnc-machining": ("CNC", "machining center", "permesinan CNC", "mesining"),
    "grinding": ("gerinda", "grinding"),
    "drilling": ("bor", "drilling"),
    "casting": ("cor", "pengecoran", "coran", "casting", "cetak pasir"),
    "die-casting": ("die casting", "cor tekan"),
    "forging": ("tempa", "forging", "penempaan"),
    "stamping": ("pres", "stamping", "press part"),
    "sheet-metal": ("fabrikasi plat", "tekuk plat", "fabrication"),
    "pipe-bending": ("bending pipa", "tekuk pipa", "pipe bending"),
    "welding": ("las MIG", "las TIG", "pengelasan", "las argon", "welding", "las co2"),
    "heat-treatment": ("dikeraskan", "hardening", "heat treatment", "pengerasan"),
    "plating": ("krom", "galvanis", "zinc plating", "vernikel"),
    "painting": ("cat oven", "powder coating", "pengecatan", "cat tahan panas"),
    "injection-moulding": ("injeksi plastik", "injection molding"),
    "rubber-moulding": ("cetak karet", "rubber moulding"),
    "die-making": ("pembuatan cetakan", "dies", "mould"),
    "assembly": ("perakitan", "assy"),
    "spring-making": ("coiling", "pembuatan per"),
}
MATERIAL_WORDS = {
    "carbon-steel": ("besi", "baja", "S45C", "SS400", "mild steel"),
    "stainless-steel": ("stainless", "SUS304", "SUS201", "stenlis"),
    "alloy-steel": ("SCM440", "baja per", "SUP9", "spring steel"),
    "cast-iron": ("FC25", "FCD 450", "besi cor", "besi tuang"),
    "aluminium": ("ADC12", "aluminium", "alumunium"),
    "copper-brass": ("kuningan", "tembaga", "bronze"),
    "rubber": ("NBR", "EPDM", "karet"),
    "plastic": ("PP", "ABS", "nylon"),
    "sheet-steel": ("SPCC", "SPHC", "plat"),
    "steel-pipe": ("pipa baja", "pipa galvanis", "pipa"),
}
VEHICLES = {
    "moto": ("for 110cc scooter", "for 2W", "for motorcycle", "for 125cc underbone motorcycle", "utk motor"),
    "car": ("for passenger car", "for MPV", "for 4W", "for LCGC car"),
    "truck": ("for light truck", "for pick-up truck", "for 8-ton truck"),
    "heavy": ("for excavator", "for forklift", "for heavy equipment"),
    "any": ("", "for automotive", "", "for OEM"),
}
CERT_DAYS = {"iso-9001": 3 * 365, "iso-14001": 3 * 365, "iatf-16949": 3 * 365, "sni": 4 * 365}


@dataclass
class Truth:
    families: list[str]
    trades: list[str]
    processes: list[str]
    materials: list[str]
    capacity: int
    certifications: dict[str, int]  # code -> last valid day


@dataclass
class Visible:
    id: int
    name: str
    text: str
    processes: list[str]
    materials: list[str]
    certifications: dict[str, int]
    monthly_capacity: int | None
    latitude: float | None
    longitude: float | None
    verified: bool
    completeness: int
    region: str


@dataclass
class NeedSpec:
    id: int
    family: str
    text: str
    processes: list[str]
    materials: list[str]
    required: list[str]
    preferred: list[str]
    monthly_volume: int
    plant: str
    latitude: float
    longitude: float
    hard_filter: bool
    as_of: int = AS_OF
    grades: dict[int, int] = field(default_factory=dict)


def _typo(rng: random.Random, text: str) -> str:
    """A random letter slip in one word (dropped, doubled or swapped letter)."""
    words = text.split(" ")
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) >= 5 and w.isalpha():
        j = rng.randrange(1, len(w) - 1)
        kind = rng.random()
        if kind < 0.4:
            w = w[:j] + w[j + 1 :]
        elif kind < 0.7:
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
        words[i] = w
    return " ".join(words)


def _company(rng: random.Random, cid: int) -> tuple[Truth, Visible]:
    cluster = rng.choices(CLUSTERS, weights=[c.weight for c in CLUSTERS])[0]
    trades = [rng.choices([t for t, _ in cluster.trades], weights=[w for _, w in cluster.trades])[0]]
    if rng.random() < 0.3:
        other = rng.choices([t for t, _ in cluster.trades], weights=[w for _, w in cluster.trades])[0]
        if other != trades[0]:
            trades.append(other)
    families: list[str] = []
    for n, trade in enumerate(trades):
        options = BY_TRADE[trade]
        k = 1 if n else min(len(options), rng.choice((1, 1, 2, 2, 3)))
        families += [f.key for f in rng.sample(options, k)]
    processes: set[str] = set()
    materials: set[str] = set()
    for trade in trades:
        t = TRADES[trade]
        processes |= {code for code, chance in t.processes if rng.random() < chance} or {t.processes[0][0]}
        materials |= {code for code, chance in t.materials if rng.random() < chance} or {t.materials[0][0]}
    for key in families:
        processes |= set(FAMILY[key].core)
        materials.add(FAMILY[key].materials[0])
    size = rng.random()
    workforce = rng.randint(50, 300) if size < 0.06 else rng.randint(20, 49) if size < 0.25 else rng.randint(3, 19)
    capacity = int(round(workforce * rng.lognormvariate(5.8, 0.7), -2)) or 100
    certs: dict[str, int] = {}
    p9001 = 0.55 if workforce >= 50 else 0.2 if workforce >= 20 else 0.04
    for code, chance in (("iso-9001", p9001), ("sni", 0.1 if trades[0] in ("fasteners", "brakes", "wheels") else 0.01)):
        if rng.random() < chance:
            since = rng.randint(0, CERT_DAYS[code] + 500)  # about a third have lapsed
            certs[code] = AS_OF - since + CERT_DAYS[code]
    if "iso-9001" in certs and workforce >= 50:
        for code, chance in (("iso-14001", 0.3), ("iatf-16949", 0.2)):
            if rng.random() < chance:
                certs[code] = AS_OF - rng.randint(0, CERT_DAYS[code] + 300) + CERT_DAYS[code]
    truth = Truth(families, trades, sorted(processes), sorted(materials), capacity, certs)

    # --- the visible profile -------------------------------------------------------------------------------
    sparse = rng.random() < 0.3
    english = rng.random() < cluster.english
    form = rng.choice(("CV", "CV", "UD", "PT", "PT", "Bengkel", ""))
    name = f"{form} {rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)}".strip()
    if rng.random() < 0.2:
        name += " " + rng.choice(cluster.places)
    shown = [k for k in families if rng.random() < 0.8] or [families[0]]
    phrases = []
    for key in shown:
        fam = FAMILY[key]
        pool = fam.ikm_en if english else fam.ikm_id
        phrases.append(rng.choice(pool).replace("{motor}", rng.choice(MOTORS)))
    if rng.random() < 0.5:
        words = PROCESS_WORDS[rng.choice(sorted(processes))]
        phrases.append(rng.choice(words))
    if rng.random() < 0.4:
        phrases.append(rng.choice(MATERIAL_WORDS[rng.choice(sorted(materials))]))
    tail = phrases[1:]
    rng.shuffle(tail)
    phrases = phrases[:1] + tail
    text = rng.choice((", ", " & ", " / ", "; ", ", ")).join(phrases)
    if rng.random() < 0.3:
        text = rng.choice(PREFIXES) + text
    if rng.random() < 0.35:
        text += rng.choice((", ", " - ")) + rng.choice(SUFFIXES)
    if rng.random() < 0.25:
        for long, short in ABBREVIATIONS:
            text = text.replace(long, short)
    if rng.random() < 0.1:
        wrong, typo = rng.choice(TYPOS)
        text = text.replace(wrong, typo)
    if rng.random() < 0.12:
        text = _typo(rng, text)
    if rng.random() < 0.1:
        text = text.upper()
    if sparse and rng.random() < 0.25:
        text = ""  # no product description at all
    hs = ", ".join(FAMILY[k].hs for k in shown if FAMILY[k].hs) if rng.random() < 0.3 else ""
    full_text = " ".join(p for p in (name, text, hs) if p)
    vis_proc = [] if (sparse and rng.random() < 0.9) or rng.random() < 0.08 else [
        p for p in sorted(processes) if rng.random() < 0.8
    ]
    vis_mat = [] if (sparse and rng.random() < 0.9) or rng.random() < 0.15 else [
        m for m in sorted(materials) if rng.random() < 0.8
    ]
    vis_cap = None if (sparse or rng.random() < 0.35) else int(round(capacity * rng.uniform(0.8, 1.2), -2)) or 100
    lat, lon = CENTRES[cluster.code]
    located = not sparse or rng.random() < 0.4
    verified = rng.random() < (0.15 if sparse else 0.5)
    present = sum(bool(x) for x in (text, vis_proc, vis_mat, vis_cap, located, hs))
    visible = Visible(
        id=cid,
        name=name,
        text=full_text,
        processes=vis_proc,
        materials=vis_mat,
        certifications=dict(certs),
        monthly_capacity=vis_cap,
        latitude=round(lat + rng.gauss(0, 0.05), 5) if located else None,
        longitude=round(lon + rng.gauss(0, 0.05), 5) if located else None,
        verified=verified,
        completeness=min(100, 25 + 12 * present + rng.randint(0, 10)),
        region=cluster.code,
    )
    return truth, visible


def _need(rng: random.Random, nid: int, fam: Family) -> NeedSpec:
    part = rng.choice(fam.buyer)
    vehicle = rng.choice(VEHICLES[fam.vehicle])
    annual = rng.choice((6_000, 12_000, 24_000, 36_000, 60_000, 120_000, 240_000, 480_000))
    plant = rng.choice(sorted(PLANTS))
    required = ["iso-9001"] if rng.random() < 0.25 else []
    preferred = ["iso-14001"] if required and rng.random() < 0.3 else (["iso-9001"] if rng.random() < 0.2 else [])
    spec = ""
    if rng.random() < 0.5 and fam.materials:
        spec = rng.choice(MATERIAL_WORDS[fam.materials[0]])
    if rng.random() < 0.3 and fam.core:
        spec = (spec + ", " if spec else "") + rng.choice(PROCESS_WORDS[rng.choice(fam.core)])
    cert_text = {"iso-9001": "ISO 9001"}
    style = rng.random()
    vol = f"{annual:,}"
    if style < 0.45:
        text = f"{part} {vehicle}".strip() + (f" ({spec})" if spec else "") + f", {vol} pcs/year"
        text += "".join(f", {cert_text[c]} required" for c in required) + f", delivery {plant}"
    elif style < 0.75:
        text = f"RFQ: {part}" + (f" - {spec}" if spec else "") + f" {vehicle}".rstrip() + f". Annual volume {vol} pcs."
        text += "".join(f" {cert_text[c]} required." for c in required)
        text += "".join(f" {cert_text[c]} preferred." for c in preferred if c in cert_text)
        text += f" Deliver to our {plant} plant."
    else:
        local = rng.choice(fam.ikm_id).replace("{motor}", rng.choice(MOTORS))
        text = f"Butuh supplier lokal {local} / {part}" + (f", {spec}" if spec else "")
        text += f", {vol.replace(',', '.')} pcs per tahun" + "".join(f", wajib {cert_text[c]}" for c in required)
        text += f", kirim ke {plant}"
    lat, lon = PLANTS[plant]
    return NeedSpec(
        id=nid,
        family=fam.key,
        text=text,
        processes=list(fam.core) if rng.random() < 0.5 else [],
        materials=list(fam.materials[:1]) if rng.random() < 0.4 else [],
        required=required,
        preferred=preferred,
        monthly_volume=max(1, round(annual / 12)),
        plant=plant,
        latitude=lat,
        longitude=lon,
        hard_filter=rng.random() < 0.5,
    )


def grade(need: NeedSpec, truth: Truth) -> int:
    fam = FAMILY[need.family]
    if fam.key in truth.families:
        if any(truth.certifications.get(c, 0) < need.as_of for c in need.required):
            return 1
        soft_ok = truth.capacity >= need.monthly_volume and all(
            truth.certifications.get(c, 0) >= need.as_of for c in need.preferred
        )
        return 3 if soft_ok else 2
    if fam.trade in truth.trades and any(FAMILY[k].trade == fam.trade for k in truth.families):
        return 1
    if fam.core and set(fam.core) <= set(truth.processes):
        return 1
    return 0


def generate(companies: int = 4000, needs_per_family: int = 2, seed: int = SEED):
    """(truths, visible companies, needs with grades): a pure function of the arguments."""
    rng = random.Random(seed)
    truths, visible = [], []
    for cid in range(1, companies + 1):
        t, v = _company(rng, cid)
        truths.append(t)
        visible.append(v)
    needs: list[NeedSpec] = []
    for fam in FAMILIES:
        for _ in range(needs_per_family):
            need = _need(rng, len(needs) + 1, fam)
            need.grades = {v.id: g for t, v in zip(truths, visible, strict=True) if (g := grade(need, t))}
            if any(g >= 2 for g in need.grades.values()):
                needs.append(need)
    return truths, visible, needs


def write(directory: Path, truths, visible, needs, seed: int = SEED) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ("matching_labels.json" if seed == SEED else f"matching_labels_seed{seed}.json")
    data = {
        "seed": seed,
        "as_of": AS_OF,
        "companies": [asdict(v) for v in visible],
        "truth": [asdict(t) for t in truths],
        "needs": [asdict(n) for n in needs],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0))
    return path
