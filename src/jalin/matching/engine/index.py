"""The in-memory matching index: rank every company for a need, or every need for a company.

Companies live in NumPy columns (:mod:`.columns`) and a sparse BM25 term-document matrix over concept tokens
(:mod:`.textindex`). Ranking one need is a few vectorised passes over the columns — text as a weighted sum of
a handful of sparse columns, process/material coverage by popcount of uint64 masks, certificate validity by
comparing day ordinals, capacity, distance by chord length — then ``np.partition`` for the top K; reasons and
gaps are computed only for those K (:mod:`.explain`), with the scalar formulas, which are the reference.

Updates without a rebuild: :meth:`MatchIndex.upsert` writes a company's columns in place (O(1)) and its
text into the delta of the text index; past ``merge_fraction`` of the index (at least ``merge_min``
companies) the delta is merged (:meth:`MatchIndex.compact`, O(non-zeros), about a second per million
companies). :meth:`MatchIndex.remove` frees the slot for reuse. See ``bench/matching_engine_speed.py``.

No Django import.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from . import explain as ex
from .columns import Columns, IdMap
from .scoring import TERM_WEIGHTS, Prepared, Scoring
from .text import Analysis, Analyzer
from .textindex import TextIndex
from .types import WEIGHTS, CompanyRow, Match, NeedQuery

_BUILD_CHUNK = 20_000


class MatchIndex(Scoring):
    """Companies ranked for a need (:meth:`rank`) and needs ranked for a company (:meth:`rank_needs`).

    ``analyzer`` carries the lexicon (built-in plus officers' entries); ``k1``/``b`` are the BM25 parameters.
    ``term_weights`` weigh a need's words by what they are: a part (``part``), a process or a material named
    in the text (scored again by their own parts, so they weigh less here), the vehicle it is for
    (``context``), or a word the lexicon does not know (``raw``). The text part is the BM25 score divided by
    ``max(text_saturation × best score, text_floor × Σ weighted idf of the need's terms)``, capped at 1: every
    company whose text is close enough to the best gets the full text part and the other parts (capacity,
    certificates …) decide between them; the floor keeps a weak best match from scoring 1. A word the need
    repeats weighs more (``query_tf``, BM25's k3: ×1, ×1.5, ×1.8 … for 1, 2, 3 … mentions, so the muffler a
    need names four times outweighs the bracket it mentions once). ``capacity_power`` makes the capacity
    part convex and ``gate_floor`` gates the fit parts by the text part (see :mod:`.explain`).

    The process a need names is its route (*forged* flange, *cor*, *bubut*): a company that states its
    processes, none of them one the need names, makes the part another way (machined flanges) and keeps only
    ``route_factor`` of its text part (:func:`.explain.other_route`). With ``purpose``, a part the need names
    only after *for* / *untuk* (*U-bolt for leaf spring*) is what the part is for: it weighs as context, and
    its processes are not inferred as the need's.

    Threads: :meth:`rank` and :meth:`rank_needs` may run in several threads at once (each thread has its own
    work arrays, about 31 bytes per company); :meth:`upsert`, :meth:`remove` and :meth:`compact` change the
    arrays in place and must not overlap anything else — the caller serialises them (e.g. a readers-writer
    lock around the index).
    """

    def __init__(
        self,
        analyzer: Analyzer | None = None,
        *,
        k1: float = 1.2,
        b: float = 0.75,
        term_weights: Mapping[str, float] | None = None,
        text_floor: float = 0.3,
        text_saturation: float = 0.8,
        query_tf: float = 3.0,
        capacity_power: float = 3.0,
        gate_floor: float = 0.3,
        route_factor: float = 0.25,
        purpose: bool = True,
        merge_fraction: float = 0.01,
        merge_min: int = 1000,
    ) -> None:
        self.query_tf, self.capacity_power, self.gate_floor = query_tf, capacity_power, gate_floor
        self.route_factor, self.purpose = route_factor, purpose
        self.analyzer = analyzer or Analyzer()
        self.term_weights = {**TERM_WEIGHTS, **(term_weights or {})}
        self.text_floor, self.text_saturation = text_floor, text_saturation
        self.merge_fraction, self.merge_min = merge_fraction, merge_min
        self.cols = Columns(self.analyzer.process_codes, self.analyzer.material_codes)
        self.text = TextIndex(k1, b)
        self.idmap = IdMap(np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.n = 0  # slots in use (high-water mark)
        self.alive_count = 0
        self.free: list[int] = []
        self._offsets: dict[frozenset[str], np.ndarray] = {}
        self._top_cache: dict[tuple, tuple[int, float]] = {}
        self._cap_sorted: np.ndarray | None = None
        self._cap_prefix = np.zeros(1)
        self._local = threading.local()

    # --- building and updating ----------------------------------------------------------------------------

    @classmethod
    def build(cls, rows: Iterable[CompanyRow], analyzer: Analyzer | None = None, **options) -> MatchIndex:
        """Index all ``rows`` at once: columns written in bulk, one sparse matrix built."""
        index = cls(analyzer, **options)
        index._build(rows)
        return index

    def _build(self, rows: Iterable[CompanyRow]) -> None:
        term_ids, lengths = array("i"), array("i")
        cache: dict[str, tuple[Analysis, list[int]]] = {}
        seen: set[int] = set()
        slot = 0
        analyse = self.analyzer.analyse_uncached
        for chunk in _chunks(rows, _BUILD_CHUNK):
            self.cols.register(chunk)
            self._grow(slot + len(chunk))
            analyses = []
            for row in chunk:
                if row.id in seen:
                    raise ValueError(f"duplicate company id {row.id}")
                seen.add(row.id)
                hit = cache.get(row.text)
                if hit is None:
                    an = analyse(row.text)
                    hit = (an, self.text.term_ids(an.tokens))
                    if len(cache) < 100_000:
                        cache[row.text] = hit
                analyses.append(hit[0])
                term_ids.extend(hit[1])
                lengths.append(len(hit[1]))
            self.cols.write_many(slot, chunk, analyses)
            slot += len(chunk)
        del cache, seen
        self.n = self.alive_count = slot
        self.idmap = IdMap(self.cols.ids[:slot].copy(), np.arange(slot))
        lengths_np = np.frombuffer(lengths, np.int32) if lengths else np.zeros(0, np.int32)
        self.text.dl[:slot] = np.minimum(lengths_np, 65535)
        docs = np.repeat(np.arange(slot, dtype=np.int64), lengths_np)
        terms = np.frombuffer(term_ids, np.int32).astype(np.int64) if term_ids else np.zeros(0, np.int64)
        self.text.build(docs, terms, None, slot, self.cols.alive)
        self._changed()

    def _grow(self, need: int) -> None:
        if self.cols.grow(need):
            self._offsets.clear()
        self.text.grow(self.cols.cap_slots)

    def _changed(self) -> None:
        """After a merge or a rebuild: caches that depend on the whole index."""
        self._top_cache.clear()
        self._cap_sorted = None

    def upsert(self, rows: Iterable[CompanyRow]) -> None:
        """Add or replace companies: columns in place, text into the delta; no rebuild (see the module doc)."""
        rows = list(rows)
        self.cols.register(rows)
        for row in rows:
            slot = self.idmap.get(row.id)
            if slot is None:
                slot = self.free.pop() if self.free else self.n
                if slot == self.n:
                    self._grow(self.n + 1)
                    self.n += 1
                self.idmap.set(row.id, slot)
                self.alive_count += 1
            an = self.analyzer.analyse(row.text)
            self.cols.write(slot, row, an)
            self.text.put(slot, an.tokens)
            self._set_offsets(slot)
        if len(self.text.delta) > max(self.merge_min, self.merge_fraction * self.alive_count):
            self.compact()

    def remove(self, ids: Iterable[int]) -> int:
        """Remove companies by id; returns how many were there. Their slots are reused by later upserts."""
        removed = 0
        for company_id in ids:
            slot = self.idmap.get(company_id)
            if slot is None:
                continue
            self.idmap.delete(company_id)
            self.cols.alive[slot] = False
            self.text.drop(slot)
            self._set_offsets(slot)
            self.free.append(slot)
            self.alive_count -= 1
            removed += 1
        return removed

    def compact(self) -> None:
        """Merge the text delta into the main matrix and rebuild the id map; O(non-zeros), vectorised."""
        self.text.merge(self.n, self.cols.alive)
        live = np.flatnonzero(self.cols.alive[: self.n])
        self.idmap = IdMap(self.cols.ids[live], live)
        self._changed()

    @property
    def version(self) -> int:
        """Bumps at every merge of the text matrix (an upsert alone does not)."""
        return self.text.version

    @property
    def delta(self) -> dict:
        return self.text.delta

    def __len__(self) -> int:
        return self.alive_count

    def __contains__(self, company_id: int) -> bool:
        return self.idmap.get(company_id) is not None

    def prepare(self, query: NeedQuery) -> Prepared:
        return Prepared(self, query)

    # --- ranking -----------------------------------------------------------------------------------------------

    def rank(
        self,
        query: NeedQuery,
        weights: Mapping[str, float] | None = None,
        top_k: int = 20,
        hard_penalty: float = 0.5,
        *,
        prune: bool = True,
    ) -> list[Match]:
        """The ``top_k`` best companies of ``query.kinds`` for a need, each with its parts, reasons and gaps.

        ``weights`` (``MatchSettings.weights()``) are normalised to sum to 1. A candidate missing a required
        certification is dropped when ``query.hard_filter``, else its score is multiplied by ``hard_penalty``.
        ``prune=False`` computes every part for every company (the same answer, slower; for tests).
        """
        w = ex.normalised_weights(weights)
        prep = self.prepare(query)
        if self.n == 0 or top_k <= 0:
            return []
        top, raw, denom = self._top(prep, w, hard_penalty, top_k, prune)
        inv = 1.0 / denom if denom > 0 else 0.0
        present = {concept: self.text.has_many(top, concept) for concept in prep.concepts}
        matches = []
        for i, slot in enumerate(top.tolist()):
            matched = [concept for concept in prep.concepts if present[concept][i]]
            matches.append(self._match(prep, slot, float(raw[slot]) * inv, matched, w, hard_penalty))
        matches.sort(key=lambda m: (-m.score, m.company_id))
        return matches[:top_k]

    def _match(self, prep: Prepared, slot: int, text: float, matched: list[str], w, penalty: float) -> Match:
        company = self.cols.company(slot)
        values, hard = ex.parts(prep.need, company, min(1.0, text))
        reasons, gaps = ex.explain(prep.need, company, matched)
        return Match(
            company_id=int(self.cols.ids[slot]),
            score=ex.score(values, w, hard, penalty, self.gate_floor),
            parts=values,
            reasons=reasons,
            gaps=gaps,
            hard_missing=hard,
        )

    def _top_text(self, terms: list[tuple[int, float]], kinds: frozenset[str]) -> float:
        """The best raw text score for a need over the index (cached until the next merge if no delta)."""
        key = (tuple(terms), kinds)
        hit = self._top_cache.get(key)
        if hit is not None and hit[0] == self.version and not self.text.delta:
            return hit[1]
        s = self._scratch()
        raw = self.text.raw(terms, self.n, out=s.raw)
        top = max(0.0, float(np.add(raw, self._offset(kinds)[: self.n], out=s.f1[: self.n]).max())) if self.n else 0.0
        if len(self._top_cache) > 10_000:
            self._top_cache.clear()
        self._top_cache[key] = (self.version, top)
        return top

    def rank_needs(
        self,
        company: CompanyRow,
        queries: Iterable[NeedQuery],
        weights: Mapping[str, float] | None = None,
        top_k: int | None = None,
        hard_penalty: float = 0.5,
    ) -> list[tuple[int, Match]]:
        """Score one company (as given, indexed or not) against needs — the IKM's opportunities — best first.

        A pair scores what :meth:`rank` gives it (the text part is normalised by the need's best text score
        over the index). Needs whose ``kinds`` exclude the company, or whose hard filter drops it, are left out.
        """
        w = ex.normalised_weights(weights)
        an = self.analyzer.analyse(company.text)
        counts, dl = Counter(an.tokens), len(an.tokens)
        features = ex.Company(
            processes=frozenset(company.processes),
            processes_text=an.processes - company.processes,
            materials=frozenset(company.materials),
            materials_text=an.materials - company.materials,
            certifications={c: (ex.NO_EXPIRY if v is None else v) for c, v in company.certifications.items()},
            monthly_capacity=None if company.monthly_capacity is None else float(company.monthly_capacity),
            latitude=company.latitude,
            longitude=company.longitude,
            verified=company.verified,
            completeness=min(100, max(0, company.completeness)),
        )
        out: list[tuple[int, Match]] = []
        for query in queries:
            if company.kind not in query.kinds:
                continue
            prep = self.prepare(query)
            terms, total_idf = self.query_terms(prep)
            weight_of = dict(terms)
            raw = 0.0
            for token in prep.tokens:
                tf, t = counts.get(token), self.text.vocab.get(token)
                if tf and t in weight_of:
                    raw += weight_of[t] * float(self.text.saturate(np.float64(tf), float(dl)))
            denom = max(self.text_saturation * self._top_text(terms, query.kinds), self.text_floor * total_idf)
            values, hard = ex.parts(prep.need, features, min(1.0, raw / denom) if denom > 0 else 0.0)
            if hard and query.hard_filter:
                continue
            reasons, gaps = ex.explain(prep.need, features, [c for c in prep.concepts if c in counts])
            score = ex.score(values, w, hard, hard_penalty, self.gate_floor)
            out.append((query.id, Match(company.id, score, values, reasons, gaps, hard)))
        out.sort(key=lambda pair: (-pair[1].score, pair[0]))
        return out if top_k is None else out[:top_k]

    # --- memory -----------------------------------------------------------------------------------------------

    def memory_bytes(self) -> int:
        """Bytes held by the index: the columns, the text matrix and delta, the id map and the caches."""
        total = self.cols.nbytes() + self.text.nbytes() + self.idmap.nbytes()
        total += sum(off.nbytes for off in self._offsets.values())
        if self._cap_sorted is not None:
            total += self._cap_sorted.nbytes + self._cap_prefix.nbytes
        scratch = getattr(self._local, "scratch", None)  # this thread's work arrays (each ranking thread has its own)
        return int(total + (scratch.nbytes if scratch is not None else 0))


def _chunks(rows: Iterable[CompanyRow], size: int):
    chunk: list[CompanyRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


__all__ = ["TERM_WEIGHTS", "WEIGHTS", "MatchIndex", "Prepared"]
