"""The structured side of the index: one slot per company in NumPy columns with spare capacity.

- ``proc``/``mat``: uint64 bitmasks ``[slots × words]`` of the process/material codes a company declares or
  names in its text; ``proc_decl``/``mat_decl`` the declared ones only (for the explanation);
  ``proc_unk``/``mat_unk`` float32 1.0 where the company says nothing;
- ``cert``: int32 ``[slots × certification types]``, column-major so that one type is one contiguous column:
  the last valid day as ``date.toordinal()``, 0 = none, 2³¹−1 = no expiry;
- ``cap`` float32 monthly capacity (0 when unknown) with ``cap_unk`` 1.0 when unknown;
- ``x/y/z`` float32 unit vector of the location (0 when unknown) with ``loc_unk``;
- ``ready`` float32 (½ verified + ½ completeness), ``verified``, ``completeness`` uint8;
- ``kind`` uint8, ``alive`` bool, ``ids`` int64.

The "unknown" flags are stored as 0/1 floats so that a query adds ``flag × value`` instead of masking, which
keeps every pass over a million slots a plain vectorised multiply-add. No Django import.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable

import numpy as np

from . import explain as ex
from .text import Analysis
from .types import CompanyRow

F32 = np.float32
_U64 = (1 << 64) - 1


class Codes:
    """Codes (process, material) ↔ bit positions in a uint64 bitmask of ``words`` words."""

    def __init__(self, codes: Iterable[str] = ()) -> None:
        self.bit: dict[str, int] = {}
        self.codes: list[str] = []
        self.add(codes)

    def add(self, codes: Iterable[str]) -> None:
        for code in codes:
            if code not in self.bit:
                self.bit[code] = len(self.codes)
                self.codes.append(code)

    @property
    def words(self) -> int:
        return max(1, math.ceil(len(self.codes) / 64))

    def value(self, codes: Iterable[str]) -> int:
        """The mask as one Python integer (bit i = code i); codes not registered are left out."""
        v = 0
        for code in codes:
            b = self.bit.get(code)
            if b is not None:
                v |= 1 << b
        return v

    def mask(self, codes: Iterable[str], words: int) -> np.ndarray:
        v = self.value(codes)
        return np.array([(v >> (64 * w)) & _U64 for w in range(words)], np.uint64)

    def decode(self, row: np.ndarray) -> frozenset[str]:
        found = []
        for w, value in enumerate(row.tolist()):
            while value:
                low = value & -value
                found.append(self.codes[w * 64 + low.bit_length() - 1])
                value ^= low
        return frozenset(found)


class IdMap:
    """Company id → slot: a sorted array (compact, fast to search) plus a dict of the changes since."""

    def __init__(self, ids: np.ndarray, slots: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        self.ids = ids[order].astype(np.int64)
        self.slots = slots[order].astype(np.int64)
        self.extra: dict[int, int] = {}

    def get(self, company_id: int) -> int | None:
        slot = self.extra.get(company_id)
        if slot is not None:
            return slot if slot >= 0 else None
        i = int(np.searchsorted(self.ids, company_id))
        if i < self.ids.size and self.ids[i] == company_id:
            return int(self.slots[i])
        return None

    def set(self, company_id: int, slot: int) -> None:
        self.extra[company_id] = slot

    def delete(self, company_id: int) -> None:
        self.extra[company_id] = -1

    def nbytes(self) -> int:
        return self.ids.nbytes + self.slots.nbytes + sys.getsizeof(self.extra) + 64 * len(self.extra)


class Columns:
    """Per-company columns with spare capacity; slots are written one by one (upsert) or in bulk (build)."""

    ARRAYS = ("ids", "alive", "kind", "proc", "proc_decl", "proc_unk", "mat", "mat_decl", "mat_unk", "cert")
    ARRAYS += ("cap", "cap_unk", "x", "y", "z", "loc_unk", "verified", "completeness", "ready")

    def __init__(self, process_codes: Iterable[str], material_codes: Iterable[str]) -> None:
        self.processes, self.materials = Codes(sorted(process_codes)), Codes(sorted(material_codes))
        self.cert_col: dict[str, int] = {}
        self.kinds: dict[str, int] = {"ikm": 0}
        self.cap_slots = 0
        self._alloc(0)

    def _alloc(self, cap: int) -> None:
        pw, mw, nc = self.processes.words, self.materials.words, max(1, len(self.cert_col))
        self.cap_slots = cap
        self.ids = np.full(cap, -1, np.int64)
        self.alive = np.zeros(cap, bool)
        self.kind = np.zeros(cap, np.uint8)
        self.proc = np.zeros((cap, pw), np.uint64)
        self.proc_decl = np.zeros((cap, pw), np.uint64)
        self.proc_unk = np.zeros(cap, F32)
        self.mat = np.zeros((cap, mw), np.uint64)
        self.mat_decl = np.zeros((cap, mw), np.uint64)
        self.mat_unk = np.zeros(cap, F32)
        self.cert = np.zeros((cap, nc), np.int32, order="F")
        self.cap = np.zeros(cap, F32)
        self.cap_unk = np.zeros(cap, F32)
        self.x = np.zeros(cap, F32)
        self.y = np.zeros(cap, F32)
        self.z = np.zeros(cap, F32)
        self.loc_unk = np.zeros(cap, F32)
        self.verified = np.zeros(cap, bool)
        self.completeness = np.zeros(cap, np.uint8)
        self.ready = np.zeros(cap, F32)

    def grow(self, need: int) -> bool:
        """Room for ``need`` slots (×1.5 steps); True when the arrays were reallocated."""
        if need <= self.cap_slots:
            return False
        old = {name: getattr(self, name) for name in self.ARRAYS}
        self._alloc(max(need, int(self.cap_slots * 1.5) + 1024))
        for name, arr in old.items():
            getattr(self, name)[: arr.shape[0]] = arr
        return True

    def register(self, rows: Iterable[CompanyRow]) -> None:
        """Learn the codes and kinds of ``rows`` (widening the masks and certificate columns if needed)."""
        for row in rows:
            self.processes.add(row.processes)
            self.materials.add(row.materials)
            for code in row.certifications:
                self.cert_col.setdefault(code, len(self.cert_col))
            self.kinds.setdefault(row.kind, len(self.kinds))
        if len(self.kinds) > 255:
            raise ValueError("more than 255 company kinds")
        self.widen()

    def widen(self) -> None:
        for name, codes in (("proc", self.processes), ("proc_decl", self.processes)):
            self._widen_one(name, codes.words)
        for name, codes in (("mat", self.materials), ("mat_decl", self.materials)):
            self._widen_one(name, codes.words)
        if self.cert.shape[1] < len(self.cert_col):
            cert = np.zeros((self.cap_slots, len(self.cert_col)), np.int32, order="F")
            cert[:, : self.cert.shape[1]] = self.cert
            self.cert = cert

    def _widen_one(self, name: str, words: int) -> None:
        arr = getattr(self, name)
        if arr.shape[1] < words:
            wide = np.zeros((self.cap_slots, words), np.uint64)
            wide[:, : arr.shape[1]] = arr
            setattr(self, name, wide)

    def write(self, slot: int, row: CompanyRow, an: Analysis) -> None:
        """One company's columns (the upsert path)."""
        self.write_many(slot, [row], [an])

    def write_many(self, start: int, rows: list[CompanyRow], analyses: list[Analysis]) -> None:
        """Consecutive slots ``start …`` from rows and their text analyses, column by column."""
        end = start + len(rows)
        pc, mc = self.processes, self.materials
        self.ids[start:end] = [r.id for r in rows]
        self.alive[start:end] = True
        self.kind[start:end] = [self.kinds[r.kind] for r in rows]
        for name, codes, declared, said in (
            ("proc", pc, [pc.value(r.processes) for r in rows], [pc.value(a.processes) for a in analyses]),
            ("mat", mc, [mc.value(r.materials) for r in rows], [mc.value(a.materials) for a in analyses]),
        ):
            union = [d | s for d, s in zip(declared, said, strict=True)]
            for w in range(codes.words):
                shift = 64 * w
                getattr(self, name + "_decl")[start:end, w] = np.array(
                    [(v >> shift) & _U64 for v in declared], np.uint64
                )
                getattr(self, name)[start:end, w] = np.array([(v >> shift) & _U64 for v in union], np.uint64)
            getattr(self, name + "_unk")[start:end] = [0.0 if v else 1.0 for v in union]
        self.cert[start:end, :] = 0
        for i, r in enumerate(rows):
            for code, last in r.certifications.items():
                self.cert[start + i, self.cert_col[code]] = ex.NO_EXPIRY if last is None else last
        caps = np.array([np.nan if r.monthly_capacity is None else r.monthly_capacity for r in rows], np.float64)
        self.cap_unk[start:end] = np.isnan(caps)
        self.cap[start:end] = np.nan_to_num(caps, nan=0.0)
        lat = np.array([np.nan if r.latitude is None or r.longitude is None else r.latitude for r in rows])
        lon = np.array([np.nan if r.latitude is None or r.longitude is None else r.longitude for r in rows])
        lat, lon = np.radians(lat), np.radians(lon)
        unknown = np.isnan(lat)
        self.loc_unk[start:end] = unknown
        self.x[start:end] = np.nan_to_num(np.cos(lat) * np.cos(lon))
        self.y[start:end] = np.nan_to_num(np.cos(lat) * np.sin(lon))
        self.z[start:end] = np.nan_to_num(np.sin(lat))
        self.verified[start:end] = [r.verified for r in rows]
        self.completeness[start:end] = [min(100, max(0, r.completeness)) for r in rows]
        self.ready[start:end] = 0.5 * self.verified[start:end] + 0.005 * self.completeness[start:end]

    def company(self, slot: int) -> ex.Company:
        """The scalar view of one slot, for the explanation."""
        certs = {}
        for code, col in self.cert_col.items():
            last = int(self.cert[slot, col])
            if last > 0:
                certs[code] = last
        decl_p, decl_m = self.processes.decode(self.proc_decl[slot]), self.materials.decode(self.mat_decl[slot])
        lat = lon = None
        if not self.loc_unk[slot]:
            x, y, z = float(self.x[slot]), float(self.y[slot]), float(self.z[slot])
            lat, lon = math.degrees(math.asin(max(-1.0, min(1.0, z)))), math.degrees(math.atan2(y, x))
        return ex.Company(
            processes=decl_p,
            processes_text=self.processes.decode(self.proc[slot]) - decl_p,
            materials=decl_m,
            materials_text=self.materials.decode(self.mat[slot]) - decl_m,
            certifications=certs,
            monthly_capacity=None if self.cap_unk[slot] else float(self.cap[slot]),
            latitude=lat,
            longitude=lon,
            verified=bool(self.verified[slot]),
            completeness=int(self.completeness[slot]),
        )

    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self.ARRAYS)
