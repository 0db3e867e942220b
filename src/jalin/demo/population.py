"""A generated population of IKM over the real clusters: how one company is drawn. Pure: no Django.

Deterministic: company *i* of seed *s* is drawn from its own ``random.Random`` seeded by ``(s, i)``, so
the same seed gives the same companies whatever the batch size or how many already exist, and its NIB
is a fixed permutation of *i* (unique for i < 10¹¹), so a run can ask which ones exist before drawing
them. :mod:`jalin.demo.bulk` derives the computed fields and writes the rows.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from stdnum import luhn

from .vocabulary import (
    ABBREVIATIONS,
    CAPACITY_NOTES,
    CLUSTERS,
    FIRST_NAMES,
    ISSUERS,
    LAST_NAMES,
    LEGAL_FORMS,
    MOBILE_PREFIXES,
    MOTORS,
    NAME_FIRST,
    NAME_SECOND,
    NAME_THIRD,
    OWNERS,
    PREFIXES,
    STREETS,
    SUFFIXES,
    TRADES,
    TYPOS,
    VILLAGES,
    Cluster,
    Trade,
)

DEFAULT_SEED = 2018  # the year of the first signed Link and Match pairs
DEFAULT_COUNT = 2000

#: Names of the real-story IKM: a generated firm never takes one of them.
RESERVED_NAMES = frozenset(
    {
        "PT Sadiyah Cahaya Logam",
        "PT Karya Manunggal Manufaktur",
        "PT Prima Karya",
        "PT Gaya Teknik Logam",
        "PT Manunggal Manufaktur",
        "PT Mitra Karya Tegal",
    }
)

_CLUSTER_CUM = list(accumulate(c.weight for c in CLUSTERS))
_TRADE_CUM = {c.code: list(accumulate(w for _, w in c.trades)) for c in CLUSTERS}
_FORM_CUM = list(accumulate(w for _, w in LEGAL_FORMS))
_BENGKEL_WORD = {"knalpot": "Knalpot", "machining": "Bubut", "cast-iron": "Cor", "fabrication": "Las", "springs": "Per"}
_NPWP_SPACE = 3_000_000  # taxpayer types 01–03 (corporate) × a 6-digit serial


def _pick(rng: random.Random, cum: list[int]) -> int:
    return bisect(cum, rng.random() * cum[-1])


# --- identifiers ---------------------------------------------------------------------------------------


def demo_nib(seed: int, index: int) -> str:
    """A 13-digit NIB for generated company ``index``: ``91`` + an 11-digit permutation of the index.

    The multiplier is coprime with 10¹¹, so the NIBs of one seed are unique for any index below 10¹¹;
    the real-story companies use the ``812…`` range, which never collides.
    """
    return "91" + f"{(index * 7_919_333 + seed * 104_729) % 10**11:011d}"


def npwp16(head: str, kpp: int, branch: int = 0) -> str:
    """A company's 16-digit NPWP (``0`` + the old 15 digits) from the 8-digit head: the 9th digit is the
    Luhn check over the head (python-stdnum's rule), then the 3-digit tax office and the 3-digit branch."""
    return f"0{head}{luhn.calc_check_digit(head)}{kpp:03d}{branch:03d}"


def demo_npwp(seed: int, index: int, kpp: int) -> str:
    value = (index * 1_000_003 + seed * 7_777) % _NPWP_SPACE  # 1,000,003 is prime: a permutation
    return npwp16(f"0{1 + value // 1_000_000}{value % 1_000_000:06d}", kpp)


# --- one generated company, as plain values --------------------------------------------------------------


@dataclass(frozen=True)
class RegionInfo:
    id: int
    name: str
    latitude: float
    longitude: float
    parent_id: int | None = None  # the province (for the filter tokens)


@dataclass
class GeneratedCompany:
    index: int
    nib: str
    legal_name: str
    brand_name: str
    npwp: str
    region_code: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    workforce: int | None
    investment: Decimal | None
    business_capital: Decimal | None
    turnover: Decimal | None
    products: str
    hs_codes: str
    monthly_capacity: int | None
    capacity_note: str
    contact_name: str
    phone: str
    email: str
    website: str
    verified_days_ago: int | None  # None: self-declared
    processes: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)
    kbli: list[str] = field(default_factory=list)
    machines: list[tuple[str, int, str, int | None]] = field(default_factory=list)  # type, count, capacity, year
    # type code, number, issuer, valid_from offset (days before today), validity in days
    certifications: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    items: list[tuple[str, str, str]] = field(default_factory=list)  # product name, HS code, description


def _rupiah(value: float, step: int) -> Decimal:
    return Decimal(max(step, int(value / step) * step))


def _coordinate(rng: random.Random, centre: float) -> Decimal:
    offset = max(-0.15, min(0.15, rng.gauss(0, 0.045)))  # a workshop within ~15 km of the regency centre
    return Decimal(f"{centre + offset:.6f}")


def _size(rng: random.Random) -> tuple[int, float]:
    """Workforce and investment (Rp, excluding land and buildings): mostly small, some medium, few large."""
    tier = rng.random()
    if tier < 0.015:
        workforce = max(100, round(rng.lognormvariate(math.log(250), 0.5)))
        return workforce, rng.lognormvariate(math.log(40e9), 0.6)
    if tier < 0.25:
        workforce = min(199, max(20, round(rng.lognormvariate(math.log(35), 0.5))))
        return workforce, workforce * rng.lognormvariate(math.log(60e6), 0.8)
    workforce = min(19, max(2, round(rng.lognormvariate(math.log(7), 0.55))))
    return workforce, workforce * rng.lognormvariate(math.log(45e6), 0.7)


def _describe(rng: random.Random, trade: Trade, cluster: Cluster) -> str:
    pool = trade.english if rng.random() < cluster.english else trade.descriptions
    return rng.choice(pool).replace("{motor}", rng.choice(MOTORS))


def _products(rng: random.Random, trade: Trade, second: Trade | None, cluster: Cluster) -> str:
    parts = [_describe(rng, trade, cluster)]
    if second is not None:
        parts.append(_describe(rng, second, cluster))
    text = rng.choice(("; ", ", ", " / ", "\n", ". ")).join(parts)
    if rng.random() < 0.35:
        text += rng.choice((", ", " - ", ". ")) + rng.choice(SUFFIXES)
    if rng.random() < 0.25:
        text = rng.choice(PREFIXES) + text
    if rng.random() < 0.25:
        for long, short in ABBREVIATIONS:
            text = text.replace(long, short)
    if rng.random() < 0.1:
        wrong, typo = rng.choice(TYPOS)
        text = text.replace(wrong, typo)
    style = rng.random()
    if style < 0.1:
        text = text.upper()
    elif style < 0.14:
        text = text.lower()
    return text


def _name(rng: random.Random, trade: Trade, cluster: Cluster) -> str:
    form = LEGAL_FORMS[_pick(rng, _FORM_CUM)][0]
    first = rng.choice(NAME_FIRST)
    second = rng.choice([w for w in NAME_SECOND if w != first])
    if form == "Bengkel":
        word = _BENGKEL_WORD.get(trade.key, "Teknik")
        if rng.random() < 0.5:
            return f"Bengkel {word} {rng.choice(('Pak', 'Mas'))} {rng.choice(OWNERS)}"
        return f"Bengkel {word} {first} {second}"
    name = f"{first} {second}"
    roll = rng.random()
    if roll < 0.2:
        name += " " + rng.choice([w for w in NAME_THIRD if w != second])
    elif roll < 0.35:
        name += " " + rng.choice(cluster.places)
    if not form:
        lead = {"cast-iron": "Pengecoran Logam", "fabrication": "Las", "knalpot": "Knalpot"}.get(trade.key, "")
        return f"{lead} {name}".strip()
    full = f"{form} {name}"
    return f"{full} {cluster.places[0]}" if full in RESERVED_NAMES else full


def _choose(rng: random.Random, options: Iterable[tuple[str, float]]) -> list[str]:
    options = list(options)
    chosen = [code for code, chance in options if rng.random() < chance]
    return chosen or [options[0][0]]


def _certifications(rng: random.Random, trade: Trade, workforce: int | None) -> list[tuple[str, str, str, int, int]]:
    size = workforce or 5
    chances = {
        "iso-9001": 0.55 if size >= 50 else 0.2 if size >= 20 else 0.03,
        "sni": 0.12 if trade.sni else 0.02,
        "smk3": 0.06 if size >= 50 else 0.0,
        "tkdn": 0.04,
    }
    result = []
    for code, chance in chances.items():
        if rng.random() < chance:
            result.append(code)
    if "iso-9001" in result and size >= 50:
        if rng.random() < 0.3:
            result.append("iso-14001")
        if rng.random() < 0.2:
            result.append("iatf-16949")
    validity = {"sni": 4 * 365, "tkdn": 5 * 365}
    certs = []
    for code in result:
        days = validity.get(code, 3 * 365)
        since = rng.randint(0, days + 500)  # about a third have lapsed; a few expire within weeks
        serial = rng.randint(1000, 99999)
        number = {
            "iso-9001": f"ID{serial:05d}-QMS",
            "iso-14001": f"ID{serial:05d}-EMS",
            "iatf-16949": f"IATF 0{400000 + serial}",
            "smk3": f"SMK3/{serial}",
            "sni": f"SPPT-SNI {serial}",
            "tkdn": f"TKDN {serial}",
        }[code]
        certs.append((code, number, rng.choice(ISSUERS[code]), since, days))
    return certs


def generate(seed: int, index: int, regions: Mapping[str, RegionInfo]) -> GeneratedCompany:
    """Generated company ``index`` of ``seed``: a pure function of both (and of the region centroids)."""
    rng = random.Random(seed * 1_000_000_007 + index)
    cluster = CLUSTERS[_pick(rng, _CLUSTER_CUM)]
    trade = TRADES[cluster.trades[_pick(rng, _TRADE_CUM[cluster.code])][0]]
    second = None
    if rng.random() < 0.3:
        other = TRADES[cluster.trades[_pick(rng, _TRADE_CUM[cluster.code])][0]]
        second = other if other is not trade else None
    region = regions[cluster.code]
    # About 30% of profiles are sparse: each structured field is then missing with a good chance.
    sparse = rng.random() < 0.3

    def missing(when_sparse: float, otherwise: float = 0.0) -> bool:
        return rng.random() < (when_sparse if sparse else otherwise)

    workforce, investment = _size(rng)
    step = 5_000_000 if investment < 2e9 else 50_000_000
    capital = investment * rng.uniform(0.6, 1.5)
    company = GeneratedCompany(
        index=index,
        nib=demo_nib(seed, index),
        legal_name=_name(rng, trade, cluster),
        brand_name="",
        npwp="" if missing(0.5, 0.1) else demo_npwp(seed, index, rng.randint(501, 650)),
        region_code=cluster.code,
        address="",
        latitude=None,
        longitude=None,
        workforce=None if missing(0.35) else workforce,
        investment=None if missing(0.35, 0.08) else _rupiah(investment, step),
        business_capital=None if missing(0.6, 0.35) else _rupiah(capital, step),
        turnover=None if missing(0.6, 0.25) else _rupiah(capital * rng.lognormvariate(math.log(1.8), 0.5), step),
        products="" if missing(0.08) else _products(rng, trade, second, cluster),
        hs_codes="",
        monthly_capacity=None,
        capacity_note="",
        contact_name="",
        phone="",
        email="",
        website="",
        verified_days_ago=None,
    )
    if rng.random() < 0.12:
        word = rng.choice((*cluster.places, *NAME_THIRD))
        style = rng.choice(("{w} Racing", "{w} Knalpot") if trade.key == "knalpot" else ("{w} Part", "{w}Tech", "{w}"))
        company.brand_name = style.replace("{w}", word)
    if not missing(0.3):
        district = rng.choice(cluster.districts)
        if rng.random() < 0.55:
            street = rng.choice(STREETS).replace("{d}", district)
            company.address = f"{street} No. {rng.randint(1, 250)}, Kec. {district}, {region.name}"
        else:
            rt, rw, village = rng.randint(1, 12), rng.randint(1, 8), rng.choice(VILLAGES)
            company.address = f"RT {rt:02d}/RW {rw:02d}, Desa {village}, Kec. {district}, {region.name}"
    if not missing(0.5, 0.1):
        company.latitude = _coordinate(rng, region.latitude)
        company.longitude = _coordinate(rng, region.longitude)
    hs = list(trade.hs[: rng.randint(1, 2)]) if trade.hs else []
    if second is not None and second.hs and rng.random() < 0.5:
        hs.append(second.hs[0])
    if hs and not missing(0.6, 0.4):  # many IKM do not know their HS codes
        company.hs_codes = ", ".join(dict.fromkeys(hs))
    if not missing(0.6, 0.15):
        company.monthly_capacity = max(100, int(round(workforce * rng.uniform(150, 1200), -2)))
        if rng.random() < 0.4:
            company.capacity_note = rng.choice(CAPACITY_NOTES)
    if rng.random() < 0.85:
        last = rng.choice(LAST_NAMES)
        company.contact_name = f"{rng.choice(FIRST_NAMES)} {last}".strip()
    if rng.random() < 0.9:
        if rng.random() < 0.45:
            local = rng.randint(2000_0000, 8999_9999) if len(cluster.area_code) == 3 else rng.randint(300000, 899999)
            company.phone = f"{cluster.area_code}-{local}"
        else:
            company.phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(1000_0000, 9999_9999)}"
    if rng.random() < 0.45:
        slug = "".join(ch for ch in company.legal_name.lower().split(" ", 1)[-1] if ch.isalnum())
        company.email = f"{slug}{rng.randint(1, 99)}@ikm.example"  # reserved domain (RFC 2606): never mailed
        if workforce >= 20 and rng.random() < 0.3:
            company.website = f"https://{slug}.example"
    if not missing(0.5):
        company.processes = _choose(rng, trade.processes)
        if second is not None:
            company.processes.append(second.processes[0][0])
    if not missing(0.5):
        company.materials = _choose(rng, trade.materials)
    if not missing(0.5, 0.15):
        company.kbli = [trade.kbli[0]] + [k for k in trade.kbli[1:] if rng.random() < 0.3]
    if not missing(0.6, 0.15):
        for machine_type, capacities in rng.sample(trade.machines, rng.randint(1, min(4, len(trade.machines)))):
            count = (
                rng.randint(1, 3) if workforce < 20 else rng.randint(2, 8) if workforce < 100 else rng.randint(5, 30)
            )
            year = None if rng.random() < 0.2 else rng.randint(1990 if workforce < 20 else 2000, 2024)
            company.machines.append((machine_type, count, rng.choice(capacities), year))
    if trade.items and not sparse and rng.random() < 0.25:
        for name, hs_code in rng.sample(trade.items, min(len(trade.items), rng.randint(1, 2))):
            company.items.append((name, hs_code if rng.random() < 0.7 else "", ""))
    company.certifications = _certifications(rng, trade, company.workforce)
    if rng.random() < (0.15 if sparse else 0.5):
        company.verified_days_ago = rng.randint(1, 900)
    company.processes = list(dict.fromkeys(company.processes))
    return company
