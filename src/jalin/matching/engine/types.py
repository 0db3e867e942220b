"""The matching engine's contract: plain data in, ranked and explained matches out. No Django import.

The Django side (``jalin.matching.index``) turns companies and needs into these rows and queries; the
engine (``jalin.matching.engine``) keeps them in NumPy/SciPy structures and ranks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CompanyRow:
    """One company as the engine sees it."""

    id: int
    name: str
    text: str  # legal/brand name, products, product items, HS codes: whatever the company wrote
    processes: frozenset[str] = frozenset()  # Process codes
    materials: frozenset[str] = frozenset()  # Material codes
    # CertificationType code -> last valid day as a proleptic ordinal (date.toordinal()), None = no expiry
    certifications: dict[str, int | None] = field(default_factory=dict)
    monthly_capacity: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    verified: bool = False
    completeness: int = 0  # 0-100
    region: str = ""  # Kemendagri code, e.g. "33.03"
    kind: str = "ikm"


@dataclass(frozen=True)
class NeedQuery:
    """One need as the engine sees it."""

    id: int
    text: str  # title, description, part category, HS code
    processes: frozenset[str] = frozenset()
    materials: frozenset[str] = frozenset()
    required_certifications: frozenset[str] = frozenset()
    preferred_certifications: frozenset[str] = frozenset()
    monthly_volume: int | None = None
    latitude: float | None = None  # the delivery plant
    longitude: float | None = None
    hard_filter: bool = True  # drop candidates missing a hard requirement (else penalise)
    as_of: int = 0  # date.toordinal() of "today" for certificate validity
    kinds: frozenset[str] = frozenset({"ikm"})  # which company kinds may be candidates


@dataclass(frozen=True)
class Message:
    """A reason or a gap, in both languages."""

    code: str  # stable machine code, e.g. "missing_certification"
    id: str  # Indonesian
    en: str  # English


@dataclass(frozen=True)
class Match:
    company_id: int
    score: float  # 0..1
    parts: dict[str, float]  # text, processes, materials, certifications, capacity, distance, readiness: 0..1 each
    reasons: tuple[Message, ...]
    gaps: tuple[Message, ...]
    hard_missing: bool = False  # a hard requirement is missing (only when the need keeps such candidates)

    def as_dict(self) -> dict:
        return {
            "company_id": self.company_id,
            "score": round(self.score, 4),
            "parts": {k: round(v, 4) for k, v in self.parts.items()},
            "reasons": [{"code": m.code, "id": m.id, "en": m.en} for m in self.reasons],
            "gaps": [{"code": m.code, "id": m.id, "en": m.en} for m in self.gaps],
            "hard_missing": self.hard_missing,
        }


#: Weight names, in the order shown to users. Values come from MatchSettings.weights().
WEIGHTS = ("text", "processes", "materials", "certifications", "capacity", "distance", "readiness")
