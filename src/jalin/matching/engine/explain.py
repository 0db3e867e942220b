"""Score parts of one (need, company) pair and the reasons and gaps behind them, in Indonesian and English.

The vectorised ranking in :mod:`.index` computes the same parts for every company at once; this module is
the scalar reference used for the returned top-K (explanations are computed only for those) and for
:meth:`.index.MatchIndex.rank_needs`. Each part is in [0, 1]:

==============  ===================================================================================
text            BM25 over concept tokens, divided by the best score for the need (see ``index``); × the
                need's ``route_factor`` for a company of another route (:func:`other_route`: the need
                names a process, *forged* flange, and the company's processes include none of them)
processes       share of the need's processes the company has (declared or said in its text); the
                need's processes are inferred from its text when it lists none (muffler → pipe
                bending + welding); none at all → NEUTRAL; company says nothing → UNKNOWN
materials       the same for materials
certifications  required ones weigh twice the preferred; valid on ``as_of`` only (an expired
                certificate is a gap "expired on <date>", not a pass); none asked → NEUTRAL
capacity        min(1, monthly capacity / monthly volume) ** 3 (convex: half the volume is worth 1/8, a buyer
                cannot source half a part); unknown → the population's expected fit (≤ UNKNOWN_MAX);
                no volume → NEUTRAL
distance        exp(−km / 300) to the delivery plant (haversine); either location unknown → NEUTRAL
readiness       ½ verified + ½ completeness
==============  ===================================================================================

The score is Σ weight × part, except that the *fit* parts (certifications, capacity, distance, readiness:
how well a company would supply the part, not whether it makes it) are multiplied by a gate on the text
part, ``min(1, floor + (1 − floor) × text / GATE_KNEE)`` (:func:`fit_gate`): a company whose profile does
not name the part keeps ``floor`` of them, one halfway to the best text match all of them. Without it a
verified, ISO-certified welder that makes truck bodies outranks exhaust makers for a muffler need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .lexicon import CERTIFICATION_NAMES, CONCEPT_LABELS, MATERIAL_NAMES, PROCESS_NAMES
from .types import WEIGHTS, Message

NEUTRAL = 0.5  # the need does not ask (or a location is unknown): the part does not separate candidates
UNKNOWN = 0.3  # the need asks and the company does not say: below neutral, above a known miss
UNKNOWN_MAX = 0.4  # cap of the capacity prior for a company that does not state its capacity (neutral-low)
DISTANCE_SCALE_KM = 300.0
NEAR_KM = 150.0  # closer than this is a reason, farther a gap
EARTH_RADIUS_KM = 6371.0088
NO_EXPIRY = 2**31 - 1  # last valid day of a certificate without expiry
INCOMPLETE = 60  # a profile less complete than this (percent) is a gap

_MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober")
_MONTHS_ID += ("November", "Desember")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
_MONTHS_EN += ("November", "December")


# --- formatting ------------------------------------------------------------------------------------------


def number(value: float, lang: str) -> str:
    """1,000 in English, 1.000 in Indonesian."""
    text = f"{round(value):,}"
    return text.replace(",", ".") if lang == "id" else text


def day(ordinal: int, lang: str) -> str:
    d = date.fromordinal(ordinal)
    return f"{d.day} {(_MONTHS_ID if lang == 'id' else _MONTHS_EN)[d.month - 1]} {d.year}"


def _names(codes: Iterable[str], table: Mapping[str, tuple[str, str]], lang: str) -> str:
    i = 0 if lang == "id" else 1
    return ", ".join(table.get(code, (code, code))[i] for code in codes)


def cert_name(code: str, lang: str = "en") -> str:
    names = CERTIFICATION_NAMES.get(code)
    if names:
        return names[0 if lang == "id" else 1]
    return code.upper().replace("-", " ")


def concept_label(concept: str, lang: str) -> str:
    return CONCEPT_LABELS.get(concept, PROCESS_NAMES.get(concept, MATERIAL_NAMES.get(concept, (concept, concept))))[
        0 if lang == "id" else 1
    ]


def msg(code: str, id_text: str, en_text: str) -> Message:
    return Message(code=code, id=id_text, en=en_text)


# --- geometry -------------------------------------------------------------------------------------------


def unit_vector(latitude: float | None, longitude: float | None) -> tuple[float, float, float] | None:
    if latitude is None or longitude is None:
        return None
    lat, lon = math.radians(latitude), math.radians(longitude)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# --- the two sides, as plain values -----------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A need prepared for scoring (see ``index.MatchIndex.prepare``)."""

    processes: tuple[str, ...]
    processes_inferred: bool
    materials: tuple[str, ...]
    materials_inferred: bool
    required: tuple[str, ...]
    preferred: tuple[str, ...]
    monthly_volume: int | None
    latitude: float | None
    longitude: float | None
    as_of: int
    concepts: tuple[str, ...]  # the need's lexicon concepts, most specific first (for "does not mention")
    capacity_unknown: float = UNKNOWN  # the capacity part of a company that does not state its capacity
    capacity_power: float = 1.0  # the capacity part is min(1, capacity / volume) ** capacity_power
    route: tuple[str, ...] = ()  # processes the need's words name (forged, cor …): the route the buyer asks for
    route_factor: float = 1.0  # text part kept by a company whose known processes include none of ``route``


@dataclass(frozen=True)
class Company:
    """One company's features as the index holds them."""

    processes: frozenset[str]  # declared
    processes_text: frozenset[str]  # said in the text (or implied by a product it names)
    materials: frozenset[str]
    materials_text: frozenset[str]
    certifications: Mapping[str, int]  # code -> last valid day (NO_EXPIRY: none)
    monthly_capacity: float | None
    latitude: float | None
    longitude: float | None
    verified: bool
    completeness: int


def normalised_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The seven weights, negative ones as zero, scaled to sum to 1 (equal weights when all are zero)."""
    raw = {name: max(0.0, float((weights or {}).get(name, 0.0))) for name in WEIGHTS}
    total = sum(raw.values())
    if total <= 0:
        return dict.fromkeys(WEIGHTS, 1.0 / len(WEIGHTS))
    return {name: value / total for name, value in raw.items()}


def coverage(wanted: tuple[str, ...], has: frozenset[str]) -> float:
    if not wanted:
        return NEUTRAL
    if not has:
        return UNKNOWN
    return sum(code in has for code in wanted) / len(wanted)


def cert_valid(company: Company, code: str, as_of: int) -> bool:
    return company.certifications.get(code, 0) >= as_of


def certification_part(need: Need, company: Company) -> tuple[float, bool]:
    """The part and whether a hard (required) certification is missing."""
    if not need.required and not need.preferred:
        return NEUTRAL, False
    req = sum(cert_valid(company, c, need.as_of) for c in need.required)
    pref = sum(cert_valid(company, c, need.as_of) for c in need.preferred)
    part = (2 * req + pref) / (2 * len(need.required) + len(need.preferred))
    return part, req < len(need.required)


def capacity_part(need: Need, company: Company) -> float:
    if not need.monthly_volume:
        return NEUTRAL
    if company.monthly_capacity is None or math.isnan(company.monthly_capacity):
        return need.capacity_unknown
    return min(1.0, company.monthly_capacity / need.monthly_volume) ** need.capacity_power


def distance_km(need: Need, company: Company) -> float | None:
    if None in (need.latitude, need.longitude, company.latitude, company.longitude):
        return None
    return haversine_km(need.latitude, need.longitude, company.latitude, company.longitude)  # type: ignore[arg-type]


def distance_part(km: float | None) -> float:
    return NEUTRAL if km is None else math.exp(-km / DISTANCE_SCALE_KM)


def readiness_part(company: Company) -> float:
    return 0.5 * float(company.verified) + 0.005 * min(100, max(0, company.completeness))


def other_route(need: Need, company: Company) -> bool:
    """The need names a process (*forged* flange) and the company states processes, none of them that one."""
    has = company.processes | company.processes_text
    return bool(need.route) and bool(has) and not has.intersection(need.route)


def parts(need: Need, company: Company, text: float) -> tuple[dict[str, float], bool]:
    certs, hard_missing = certification_part(need, company)
    if need.route_factor != 1.0 and other_route(need, company):
        text *= need.route_factor
    return (
        {
            "text": text,
            "processes": coverage(need.processes, company.processes | company.processes_text),
            "materials": coverage(need.materials, company.materials | company.materials_text),
            "certifications": certs,
            "capacity": capacity_part(need, company),
            "distance": distance_part(distance_km(need, company)),
            "readiness": readiness_part(company),
        },
        hard_missing,
    )


#: The parts that say how well a company would supply the part, not whether it makes it.
FIT_PARTS = ("certifications", "capacity", "distance", "readiness")


GATE_KNEE = 0.5  # the text part from which a company gets all of its fit parts


def fit_gate(text: float, floor: float, knee: float = GATE_KNEE) -> float:
    """How much of the fit parts a company gets: ``floor`` with no text relevance, all of them from ``knee`` on."""
    return min(1.0, floor + (1.0 - floor) * text / knee)


def score(
    part_values: Mapping[str, float],
    weights: Mapping[str, float],
    hard_missing: bool,
    penalty: float,
    gate_floor: float = 1.0,
) -> float:
    gate = fit_gate(part_values["text"], gate_floor)
    total = sum(weights[name] * part_values[name] * (gate if name in FIT_PARTS else 1.0) for name in WEIGHTS)
    return total * penalty if hard_missing else total


# --- reasons and gaps -------------------------------------------------------------------------------------


def explain(need: Need, company: Company, matched: Iterable[str]) -> tuple[tuple[Message, ...], tuple[Message, ...]]:
    """Reasons and gaps for one pair; ``matched`` are the need's concepts found in the company's text."""
    reasons: list[Message] = []
    gaps: list[Message] = []
    matched = list(matched)
    if matched:
        shown = matched[:5]
        reasons.append(
            msg(
                "text_match",
                "Profil menyebut " + ", ".join(concept_label(c, "id") for c in shown),
                "Profile mentions " + ", ".join(concept_label(c, "en") for c in shown),
            )
        )
    elif need.concepts:
        shown = list(need.concepts[:3])
        gaps.append(
            msg(
                "no_text_match",
                "Profil tidak menyebut " + ", ".join(concept_label(c, "id") for c in shown),
                "Profile does not mention " + ", ".join(concept_label(c, "en") for c in shown),
            )
        )
    _explain_codes(
        "process",
        need.processes + tuple(c for c in need.route if c not in need.processes),  # "No forging" for a forged part
        company.processes | company.processes_text,
        PROCESS_NAMES,
        ("Punya proses ", "Has "),
        ("Tidak ada ", "No "),
        ("Proses tidak diketahui", "Processes unknown"),
        reasons,
        gaps,
    )
    _explain_codes(
        "material",
        need.materials,
        company.materials | company.materials_text,
        MATERIAL_NAMES,
        ("Mengerjakan ", "Works with "),
        ("Tidak mencantumkan ", "Does not list "),
        ("Bahan tidak diketahui", "Materials unknown"),
        reasons,
        gaps,
    )
    _explain_certifications(need, company, reasons, gaps)
    _explain_capacity(need, company, reasons, gaps)
    km = distance_km(need, company)
    if km is not None:
        where = ("dari pabrik tujuan", "from the delivery plant")
        code = "near_plant" if km <= NEAR_KM else "far_from_plant"
        m = msg(code, f"{number(km, 'id')} km {where[0]}", f"{number(km, 'en')} km {where[1]}")
        (reasons if km <= NEAR_KM else gaps).append(m)
    elif need.latitude is not None and need.longitude is not None:
        gaps.append(msg("location_unknown", "Lokasi tidak diketahui", "Location unknown"))
    if company.verified:
        reasons.append(msg("verified", "Terverifikasi oleh petugas", "Verified by an officer"))
    else:
        gaps.append(msg("not_verified", "Belum diverifikasi", "Not verified yet"))
    if company.completeness < INCOMPLETE:
        pct = max(0, company.completeness)
        gaps.append(msg("incomplete_profile", f"Profil baru {pct}% lengkap", f"Profile only {pct}% complete"))
    return tuple(reasons), tuple(gaps)


def _explain_codes(kind, wanted, has, names, have_words, miss_words, unknown_words, reasons, gaps) -> None:
    if not wanted:
        return
    if not has:
        gaps.append(msg(f"{kind}es_unknown" if kind == "process" else f"{kind}s_unknown", *unknown_words))
        return
    present = [c for c in wanted if c in has]
    if present:
        reasons.append(
            msg(
                f"{kind}_present",
                have_words[0] + _names(present, names, "id"),
                have_words[1] + _names(present, names, "en"),
            )
        )
    for code in wanted:
        if code not in has:
            gaps.append(
                msg(
                    f"missing_{kind}",
                    miss_words[0] + _names([code], names, "id"),
                    miss_words[1] + _names([code], names, "en"),
                )
            )


def _explain_certifications(need: Need, company: Company, reasons: list[Message], gaps: list[Message]) -> None:
    for codes, required in ((need.required, True), (need.preferred, False)):
        tag_id, tag_en = ("wajib", "required") if required else ("diutamakan", "preferred")
        for code in codes:
            name_id, name_en = cert_name(code, "id"), cert_name(code, "en")
            last = company.certifications.get(code)
            if last is not None and last >= need.as_of:
                if last == NO_EXPIRY:
                    reasons.append(msg("valid_certification", f"{name_id} berlaku", f"Valid {name_en}"))
                else:
                    reasons.append(
                        msg(
                            "valid_certification",
                            f"{name_id} berlaku sampai {day(last, 'id')}",
                            f"Valid {name_en} until {day(last, 'en')}",
                        )
                    )
            elif last is not None and last > 0:
                gaps.append(
                    msg(
                        "expired_certification",
                        f"{name_id} kedaluwarsa pada {day(last, 'id')} ({tag_id})",
                        f"{name_en} expired on {day(last, 'en')} ({tag_en})",
                    )
                )
            elif required:
                gaps.append(msg("missing_certification", f"Tidak punya {name_id} yang berlaku", f"No valid {name_en}"))
            else:
                gaps.append(
                    msg(
                        "missing_preferred_certification",
                        f"Tidak punya {name_id} yang berlaku (diutamakan)",
                        f"No valid {name_en} (preferred)",
                    )
                )


def _explain_capacity(need: Need, company: Company, reasons: list[Message], gaps: list[Message]) -> None:
    if not need.monthly_volume:
        return
    cap = company.monthly_capacity
    if cap is None or math.isnan(cap):
        gaps.append(msg("capacity_unknown", "Kapasitas tidak diketahui", "Capacity unknown"))
        return
    vol = need.monthly_volume
    text_id = f"Kapasitas {number(cap, 'id')}/bulan, kebutuhan {number(vol, 'id')}/bulan"
    text_en = f"Capacity {number(cap, 'en')}/month, need {number(vol, 'en')}/month"
    if cap >= vol:
        reasons.append(msg("capacity_ok", text_id, text_en))
    else:
        gaps.append(msg("capacity_short", text_id, text_en))
