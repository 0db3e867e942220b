"""Vectorised scoring of every company for one need: the arithmetic behind ``MatchIndex.rank``.

:class:`Scoring` is mixed into :class:`.index.MatchIndex` and works on its columns (``self.cols``) and text
index (``self.text``). Every pass over the companies is a plain NumPy multiply-add in per-thread work arrays
(:class:`Scratch`: no allocation, hence no page faults, per query). The cheap parts (text, coverage,
readiness) are computed for every company and the rest (certificates, capacity, distance) only for those
that can still reach the top K (:meth:`Scoring._top`); the answer is exact. The scalar formulas in
:mod:`.explain` are the reference, and they give the scores and parts that are returned. No Django import.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np

from . import explain as ex
from .columns import F32
from .lexicon import CONTEXT_CONCEPTS, PRODUCT_PROCESSES
from .text import tokenise
from .types import NeedQuery

#: Query weight of a need's word by kind (see :class:`MatchIndex`).
TERM_WEIGHTS = {"part": 1.0, "process": 0.5, "material": 0.25, "context": 0.25, "raw": 0.5}
_OUT = F32(-4.0)  # added to the score of a slot that is not a candidate (scores are in [0, 1])


class Prepared:
    """A need, analysed once: its weighted query tokens (weight by kind × the saturated count of the token in
    the need, ``qtf·(k3+1)/(qtf+k3)``) and its scalar view for the explanation."""

    def __init__(self, index, query: NeedQuery) -> None:
        an = index.analyzer.analyse(query.text)
        self.query = query
        procs, materials = index.analyzer.process_codes, index.analyzer.material_codes
        tw = index.term_weights
        weights: dict[str, float] = {}
        counts: dict[str, int] = {}
        for token in an.tokens:
            counts[token] = counts.get(token, 0) + 1
            if token not in an.concepts:
                w = tw["raw"]
            elif token in procs:
                w = tw["process"]
            elif token in materials:
                w = tw["material"]
            elif token in CONTEXT_CONCEPTS:
                w = tw["context"]
            else:
                w = tw["part"]
            weights[token] = max(w, weights.get(token, 0.0))
        # a part named only after "for" is what the part is for (U-bolt for leaf spring): weighs as context
        purpose = _purpose_only(index.analyzer, query.text, procs | materials) if index.purpose else frozenset()
        for token in purpose:
            if token in weights:
                weights[token] = min(weights[token], tw["context"])
        k3 = index.query_tf
        if k3:
            weights = {t: w * counts[t] * (k3 + 1) / (counts[t] + k3) for t, w in weights.items()}
        self.tokens = {t: w for t, w in weights.items() if w > 0}
        order = [t for t in dict.fromkeys(an.tokens) if t in an.concepts and t not in CONTEXT_CONCEPTS]
        self.concepts = tuple(t for t in order if t not in procs and t not in materials) or tuple(order)
        named = an.concepts & procs  # the processes the need's words name (forged, cor, bubut …): its route
        if query.processes:
            processes = tuple(sorted(query.processes))
        elif purpose:  # not the processes of what the part is for
            processes = tuple(sorted(_implied(an.concepts - purpose, named)))
        else:
            processes = tuple(sorted(an.processes))
        materials_ = tuple(sorted(query.materials)) or tuple(sorted(an.materials))
        self.need = ex.Need(
            processes=processes,
            processes_inferred=not query.processes and bool(processes),
            materials=materials_,
            materials_inferred=not query.materials and bool(materials_),
            required=tuple(sorted(query.required_certifications)),
            preferred=tuple(sorted(query.preferred_certifications - query.required_certifications)),
            monthly_volume=query.monthly_volume,
            latitude=query.latitude,
            longitude=query.longitude,
            as_of=query.as_of,
            concepts=self.concepts,
            capacity_unknown=index.capacity_prior(query.monthly_volume),
            capacity_power=index.capacity_power,
            route=tuple(sorted(named)),
            route_factor=index.route_factor if named else 1.0,
        )


_PURPOSE = frozenset({"for", "untuk", "utk", "buat"})


def _purpose_only(analyzer, text: str, codes: frozenset[str]) -> frozenset[str]:
    """Part concepts a need names only after *for* / *untuk* in a clause (*U-bolt for leaf spring*): what the
    part is for, not the part. Empty when the need names no part before such a word."""
    heads, tails = [], []
    for words in tokenise(text):
        cut = next((i for i, word in enumerate(words) if word in _PURPOSE), len(words))
        heads.append(" ".join(words[:cut]))
        tails.append(" ".join(words[cut + 1 :]))
    head = analyzer.analyse(", ".join(h for h in heads if h)).concepts
    if not head - codes - CONTEXT_CONCEPTS:
        return frozenset()
    tail = analyzer.analyse(", ".join(t for t in tails if t)).concepts
    return frozenset(tail - head - codes - CONTEXT_CONCEPTS)


def _implied(concepts: frozenset[str], named: frozenset[str]) -> frozenset[str]:
    """The processes named plus those the products among ``concepts`` imply (as :meth:`.text.Analyzer.analyse`)."""
    out = set(named)
    for concept in concepts:
        out.update(PRODUCT_PROCESSES.get(concept, ()))
    return frozenset(out)


class Scratch:
    """Per-thread work arrays for one ranking (float32 ×5, uint64, uint8, int8, bool)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.score, self.raw, self.f1, self.f2, self.f3 = (np.zeros(size, F32) for _ in range(5))
        self.u64 = np.zeros(size, np.uint64)
        self.u8 = np.zeros(size, np.uint8)
        self.i8 = np.zeros(size, np.int8)
        self.b = np.zeros(size, bool)

    @property
    def nbytes(self) -> int:
        return self.size * (5 * 4 + 8 + 1 + 1 + 1)


class Scoring:
    """The scoring half of :class:`.index.MatchIndex` (see the module doc)."""

    _local: threading.local

    def capacity_prior(self, volume: int | None) -> float:
        """The capacity part of a company that does not state its capacity: the mean ``min(1, capacity/volume)``
        of the companies that do, capped at ``UNKNOWN_MAX`` — the larger the volume, the less likely an
        unknown workshop makes it. From the capacities at the last build or merge (sorted, prefix sums)."""
        if not volume:
            return ex.NEUTRAL
        if self._cap_sorted is None:
            n, c = self.n, self.cols
            known = c.cap[:n][c.alive[:n] & (c.cap_unk[:n] == 0)]
            self._cap_sorted = np.sort(known).astype(np.float64)
            self._cap_prefix = np.concatenate(([0.0], np.cumsum(self._cap_sorted**self.capacity_power)))
        caps = self._cap_sorted
        if caps.size == 0:
            return ex.UNKNOWN
        i = int(np.searchsorted(caps, volume))
        below = self._cap_prefix[i] / float(volume) ** self.capacity_power
        return min(ex.UNKNOWN_MAX, (below + (caps.size - i)) / caps.size)

    def query_terms(self, prep: Prepared) -> tuple[list[tuple[int, float]], float]:
        """(term id, query weight × idf) of the need's tokens the index knows, and the sum of those weights."""
        return self.text.query_terms(prep.tokens, max(1, self.alive_count))

    def _offset(self, kinds: frozenset[str]) -> np.ndarray:
        """0 for a live company of one of ``kinds``, −4 otherwise (cached per set of kinds, kept in sync)."""
        off = self._offsets.get(kinds)
        if off is None:
            allowed = np.zeros(256, bool)
            for k in kinds:
                if k in self.cols.kinds:
                    allowed[self.cols.kinds[k]] = True
            ok = self.cols.alive & allowed[self.cols.kind]
            off = np.where(ok, F32(0), _OUT).astype(F32)
            if len(self._offsets) > 16:
                self._offsets.clear()
            self._offsets[kinds] = off
        return off

    def _set_offsets(self, slot: int) -> None:
        alive, kind = self.cols.alive[slot], self.cols.kind[slot]
        codes = {code: k for k, code in self.cols.kinds.items()}
        for kinds, off in self._offsets.items():
            off[slot] = 0 if alive and codes[int(kind)] in kinds else _OUT

    def _scratch(self) -> Scratch:
        """Work arrays of this thread, as large as the columns (no allocation, so no page faults, per query)."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None or scratch.size < self.cols.cap_slots:
            scratch = self._local.scratch = Scratch(self.cols.cap_slots)
        return scratch

    def _coverage(self, name: str, codes, wanted: tuple[str, ...], weight: float, s: Scratch, n: int) -> float:
        """Adds ``weight × coverage`` to the score (``name``: ``proc`` or ``mat``); returns the constant instead
        when the need asks for none."""
        if not wanted:
            return weight * ex.NEUTRAL
        bits, unknown = getattr(self.cols, name), getattr(self.cols, name + "_unk")
        q = codes.mask(wanted, bits.shape[1])  # a code no company has is in no mask but counts in len(wanted)
        tmp = s.f1[:n]
        if bits.shape[1] == 1:
            np.bitwise_and(bits[:n, 0], q[0], out=s.u64[:n])
            np.bitwise_count(s.u64[:n], out=s.u8[:n])
            np.multiply(s.u8[:n], F32(weight / len(wanted)), out=tmp)
        else:
            hits = np.bitwise_count(bits[:n] & q).sum(axis=1, dtype=np.uint16)
            np.multiply(hits, F32(weight / len(wanted)), out=tmp)
        s.score[:n] += tmp
        np.multiply(unknown[:n], F32(weight * ex.UNKNOWN), out=tmp)
        s.score[:n] += tmp
        return 0.0

    def _route(self, need: ex.Need, score: np.ndarray, s: Scratch, n: int) -> None:
        """Multiplies the text part of a company of another route (:func:`.explain.other_route`: it states its
        processes and none is one the need names) by ``need.route_factor``."""
        bits = self.cols.proc
        q = self.cols.processes.mask(need.route, bits.shape[1])
        other = s.b[:n]
        if bits.shape[1] == 1:
            np.bitwise_and(bits[:n, 0], q[0], out=s.u64[:n])
            np.equal(s.u64[:n], 0, out=other)
        else:
            np.logical_not((bits[:n] & q).any(axis=1), out=other)
        tmp = s.f1[:n]
        other &= self.cols.proc_unk[:n] == 0
        np.multiply(other, F32(need.route_factor - 1.0), out=tmp)
        tmp += F32(1)
        score *= tmp

    def _relevance(self, prep: Prepared, w: Mapping[str, float]):
        """The cheap parts of every slot, vectorised in this thread's work arrays: text, process and material
        coverage, readiness and the constants of what the need does not ask; −4 for a non-candidate and −8 for
        a candidate the hard filter drops. Returns it with the raw text scores, their divisor and the most the
        remaining parts (certificates, capacity, distance) can still add before the gate. The gate of the fit
        parts (:func:`.explain.fit_gate`) of every slot is left in ``f3`` for :meth:`_rest` and the bound."""
        n, c, need, s = self.n, self.cols, prep.need, self._scratch()
        score, tmp = s.score[:n], s.f1[:n]
        off = self._offset(prep.query.kinds)[:n]
        terms, total_idf = self.query_terms(prep)
        raw = self.text.raw(terms, n, out=s.raw)
        np.add(raw, off, out=tmp)
        top = max(0.0, float(tmp.max())) if n else 0.0
        denom = max(self.text_saturation * top, self.text_floor * total_idf)
        np.multiply(raw, F32(1.0 / denom if denom > 0 else 0.0), out=score)
        np.minimum(score, F32(1), out=score)
        if need.route_factor != 1.0 and need.route:
            self._route(need, score, s, n)
        gate = s.f3[:n]  # the share of the fit parts each slot gets (ex.fit_gate), read again by _rest
        floor = self.gate_floor
        np.multiply(score, F32((1 - floor) / ex.GATE_KNEE), out=gate)
        gate += F32(floor)
        np.minimum(gate, F32(1), out=gate)
        score *= F32(w["text"])
        const = self._coverage("proc", c.processes, need.processes, w["processes"], s, n)
        const += self._coverage("mat", c.materials, need.materials, w["materials"], s, n)
        rest = fit = 0.0
        if need.required or need.preferred:
            rest += w["certifications"]
        else:
            fit += w["certifications"] * ex.NEUTRAL
        if need.monthly_volume:
            rest += w["capacity"]
        else:
            fit += w["capacity"] * ex.NEUTRAL
        if need.latitude is not None and need.longitude is not None and w["distance"] > 0:
            rest += w["distance"]
        else:
            fit += w["distance"] * ex.NEUTRAL
        np.multiply(c.ready[:n], F32(w["readiness"]), out=tmp)
        if fit:
            tmp += F32(fit)
        tmp *= gate
        score += tmp
        if const:
            score += F32(const)
        score += off
        if need.required and prep.query.hard_filter:
            req = s.i8[:n]
            req.fill(0)
            for code in need.required:
                if code in c.cert_col:
                    np.greater_equal(c.cert[:n, c.cert_col[code]], need.as_of, out=s.b[:n])
                    req += s.b[:n]
            np.less(req, len(need.required), out=s.b[:n])
            np.multiply(s.b[:n], F32(8), out=tmp)
            score -= tmp
        return score, raw, denom, rest

    def _rest(self, prep: Prepared, w: Mapping[str, float], penalty: float, sel, base: np.ndarray) -> np.ndarray:
        """The final score of the slots ``sel`` (an index array or a slice) from their cheap parts ``base``:
        adds certificates, capacity and distance times the slot's fit gate, then applies the penalty of a
        missing hard requirement."""
        c, need = self.cols, prep.need
        final = np.zeros(base.shape, F32)
        hard = None
        if need.required or need.preferred:
            per = F32(w["certifications"] / (2 * len(need.required) + len(need.preferred)))
            req = np.zeros(final.size, np.int8)
            for code in need.required:
                if code in c.cert_col:
                    req += c.cert[sel, c.cert_col[code]] >= need.as_of
            final += req * (2 * per)
            for code in need.preferred:
                if code in c.cert_col:
                    final += (c.cert[sel, c.cert_col[code]] >= need.as_of) * per
            if need.required and not prep.query.hard_filter:
                hard = req < len(need.required)
        if need.monthly_volume:
            cap = np.minimum(c.cap[sel] * F32(1.0 / need.monthly_volume), F32(1))
            if self.capacity_power != 1:
                cap **= F32(self.capacity_power)
            cap *= F32(w["capacity"])
            final += cap
            final += c.cap_unk[sel] * F32(w["capacity"] * need.capacity_unknown)
        v = ex.unit_vector(need.latitude, need.longitude)
        if v is not None and w["distance"] > 0:
            final += self._distance(v, sel, w["distance"])
        final *= self._scratch().f3[sel]
        final += base
        if hard is not None:
            final[hard] *= F32(penalty)
        return final

    def _distance(self, v: tuple[float, float, float], sel, weight: float) -> np.ndarray:
        """``weight × exp(−km/300)`` with km = R × chord length: the chord is shorter than the arc by R·θ³/24
        (0.1 km at 500 km, 3 km at 1,500 km, where the part is below 0.01); the order of the ranking does not see
        it, and the parts and scores returned use the exact haversine."""
        c = self.cols
        d = c.x[sel] - F32(v[0])
        chord2 = d * d
        for axis, q in ((c.y, v[1]), (c.z, v[2])):
            np.subtract(axis[sel], F32(q), out=d)
            d *= d
            chord2 += d
        np.sqrt(chord2, out=d)
        d *= F32(-ex.EARTH_RADIUS_KM / ex.DISTANCE_SCALE_KM)
        np.exp(d, out=d)  # an unknown location is the origin, |q| = 1 away: exp(−21) ≈ 0
        d *= F32(weight)
        d += c.loc_unk[sel] * F32(weight * ex.NEUTRAL)
        return d

    def _select(self, slots: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` slots with the best non-negative ``values`` (ties by company id), best first."""
        keep = np.flatnonzero(values >= 0)
        if keep.size > k:
            kth = np.partition(values[keep], keep.size - k)[keep.size - k]
            keep = keep[values[keep] >= kth]
        order = np.lexsort((self.cols.ids[slots[keep]], -values[keep]))
        return slots[keep[order][:k]]

    def _select_all(self, values: np.ndarray, k: int) -> np.ndarray:
        """:meth:`_select` over every slot, without materialising the candidates' positions first."""
        n, s = values.size, self._scratch()
        threshold = F32(0)
        if n > k:
            work = s.f2[:n]
            np.copyto(work, values)
            work.partition(n - k)
            threshold = max(threshold, work[n - k])
        top = np.flatnonzero(np.greater_equal(values, threshold, out=s.b[:n]))
        return top[np.lexsort((self.cols.ids[top], -values[top]))][:k]

    def _top(self, prep: Prepared, w: Mapping[str, float], penalty: float, k: int, prune: bool = True):
        """Slots of the ``k`` best candidates, best first, with the raw text scores and their divisor.

        Exact, and usually cheap: the cheap parts (:meth:`_relevance`) are computed for everyone, the final
        score first for a pilot of the best ``8k`` by them; the k-th best final score θ of the pilot is a lower
        bound of the answer's, and a slot whose cheap parts plus the most the rest can add stay below θ cannot
        be in it, so only the others get the rest (:meth:`_rest`). When they are many (weights dominated by
        certificates, capacity or distance) everyone gets it."""
        base, raw, denom, rest = self._relevance(prep, w)
        n, s = self.n, self._scratch()
        if not rest and not (prep.need.required and not prep.query.hard_filter):  # nothing left to add
            return self._select_all(base, k), raw, denom
        if prune and n > 8 * k:
            m = 8 * k
            work = s.f2[:n]
            np.copyto(work, base)
            work.partition(n - m)
            pilot = np.flatnonzero(np.greater_equal(base, max(work[n - m], F32(0)), out=s.b[:n]))
            if pilot.size > 4 * m:  # many ties: any 4m of them will do for a bound
                pilot = pilot[: 4 * m]
            final = self._rest(prep, w, penalty, pilot, base[pilot])
            valid = final[final >= 0]
            if valid.size >= k:
                theta = float(np.partition(valid, valid.size - k)[valid.size - k])
                bound = s.f2[:n]  # the most each slot can reach: its cheap parts plus its gated share of the rest
                np.multiply(s.f3[:n], F32(rest), out=bound)
                bound += base
                cand = np.flatnonzero(np.greater_equal(bound, F32(theta - 1e-5), out=s.b[:n]))
                if cand.size <= n // 4:
                    return self._select(cand, self._rest(prep, w, penalty, cand, base[cand]), k), raw, denom
        return self._select_all(self._rest(prep, w, penalty, slice(0, n), base), k), raw, denom
