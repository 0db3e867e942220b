"""The text side of the index: BM25 term weights over concept tokens, updatable without a rebuild.

The *main* matrix is CSC ``[slots × terms]`` (float32 weights, int32 row indices) holding the saturated term
frequency ``tf·(k1+1)/(tf + k1·(1−b+b·dl/avgdl))`` of every (company, token); the idf is applied at query time
from document frequencies, so ranking one need is a weighted sum of a handful of sparse columns.

Updates: a changed company's old row in the main matrix is marked *stale* (zeroed at query time) and its new
text goes into the *delta*, an inverted dict ``term → {slot: weight}`` of the companies changed since the last
merge; :meth:`TextIndex.merge` folds the delta into a new main matrix in one vectorised O(non-zeros) pass,
re-weighting every document with the new average length and recounting document frequencies. Between merges
stale rows still count in the document frequencies and the average length is that of the last merge: the
drift is bounded by the delta's share of the index. No Django import.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse

F32 = np.float32


class TextIndex:
    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self.main = sparse.csc_matrix((0, 0), dtype=F32)
        self.main_rows = 0
        self.df = np.zeros(0, np.int64)
        self.avgdl = 1.0
        self.alive_docs = 0
        self.dl = np.zeros(0, np.uint16)
        self.stale = np.zeros(0, bool)
        self.delta: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # slot -> (term ids, weights)
        self.postings: dict[int, dict[int, float]] = {}  # term id -> {slot: weight}, for the delta
        self._stale_idx: np.ndarray | None = np.zeros(0, np.int64)
        self.version = 0  # bumps at every (re)build of the main matrix

    def grow(self, cap: int) -> None:
        if cap > self.dl.size:
            dl, stale = np.zeros(cap, np.uint16), np.zeros(cap, bool)
            dl[: self.dl.size], stale[: self.stale.size] = self.dl, self.stale
            self.dl, self.stale = dl, stale

    def term_ids(self, tokens: Iterable[str]) -> list[int]:
        vocab = self.vocab
        return [vocab.setdefault(t, len(vocab)) for t in tokens]

    def saturate(self, tf: np.ndarray, dl: np.ndarray | float) -> np.ndarray:
        k1, b = self.k1, self.b
        return (tf * (k1 + 1) / (tf + k1 * (1 - b + b * np.asarray(dl, np.float64) / self.avgdl))).astype(F32)

    # --- building and updating ----------------------------------------------------------------------------

    def build(self, docs: np.ndarray, terms: np.ndarray, tf: np.ndarray | None, rows: int, alive: np.ndarray) -> None:
        """A new main matrix from (slot, term[, tf]) entries; ``tf`` None: one entry per token occurrence."""
        nterms = len(self.vocab)
        counts = np.ones(docs.size, np.float64) if tf is None else tf
        tfm = sparse.coo_matrix((counts, (docs, terms)), shape=(rows, nterms)).tocsc()  # sums duplicates
        tfm.sum_duplicates()
        live_dl = self.dl[:rows][alive[:rows]]
        self.alive_docs = int(alive[:rows].sum())
        self.avgdl = float(live_dl.mean()) if live_dl.size and live_dl.mean() > 0 else 1.0
        data = self.saturate(tfm.data, self.dl[tfm.indices])
        self.main = sparse.csc_matrix((data, tfm.indices.astype(np.int32), tfm.indptr), shape=(rows, nterms))
        self.main.has_sorted_indices = True
        self.df = np.diff(tfm.indptr).astype(np.int64)
        self.main_rows = rows
        self.delta.clear()
        self.postings.clear()
        self.stale[:] = False
        self._stale_idx = np.zeros(0, np.int64)
        self.version += 1

    def put(self, slot: int, tokens: tuple[str, ...]) -> None:
        """A company's new text (into the delta; its main row, if any, becomes stale)."""
        self.drop(slot)
        self.dl[slot] = min(len(tokens), 65535)
        counts = Counter(self.term_ids(tokens))
        if counts:
            tids = np.fromiter(counts.keys(), np.int64, len(counts))
            w = self.saturate(np.fromiter(counts.values(), np.float64, len(counts)), float(self.dl[slot]))
            self.delta[slot] = (tids, w)
            for t, v in zip(tids.tolist(), w.tolist(), strict=True):
                self.postings.setdefault(t, {})[slot] = v

    def drop(self, slot: int) -> None:
        old = self.delta.pop(slot, None)
        if old is not None:
            for t in old[0].tolist():
                self.postings[t].pop(slot, None)
        if slot < self.main_rows and not self.stale[slot]:
            self.stale[slot] = True
            self._stale_idx = None

    def merge(self, rows: int, alive: np.ndarray) -> None:
        """Fold the delta into the main matrix (re-weighting all documents); O(non-zeros), vectorised."""
        m = self.main
        docs = m.indices.astype(np.int64)
        terms = np.repeat(np.arange(m.shape[1], dtype=np.int64), np.diff(m.indptr))
        keep = alive[docs] & ~self.stale[docs]
        docs, terms, w = docs[keep], terms[keep], m.data[keep].astype(np.float64)
        # Recover tf from the stored weight: w = tf(k1+1)/(tf+K)  ⇒  tf = wK/(k1+1−w).
        k = self.k1 * (1 - self.b + self.b * self.dl[docs].astype(np.float64) / self.avgdl)
        parts_docs, parts_terms, parts_tf = [docs], [terms], [np.rint(w * k / (self.k1 + 1 - w))]
        for slot, (tids, dw) in self.delta.items():
            dk = self.k1 * (1 - self.b + self.b * float(self.dl[slot]) / self.avgdl)
            parts_docs.append(np.full(tids.size, slot, np.int64))
            parts_terms.append(tids)
            parts_tf.append(np.rint(dw.astype(np.float64) * dk / (self.k1 + 1 - dw)))
        self.build(np.concatenate(parts_docs), np.concatenate(parts_terms), np.concatenate(parts_tf), rows, alive)

    # --- queries ----------------------------------------------------------------------------------------------

    def idf(self, term: int, n_docs: int) -> tuple[float, int]:
        df = (int(self.df[term]) if term < self.df.size else 0) + len(self.postings.get(term, ()))
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5)), df

    def query_terms(self, tokens: dict[str, float], n_docs: int) -> tuple[list[tuple[int, float]], float]:
        """(term id, query weight × idf) of the tokens the index knows, and the sum of those weights."""
        terms, total = [], 0.0
        for token, w in tokens.items():
            t = self.vocab.get(token)
            if t is None:
                continue
            idf, df = self.idf(t, n_docs)
            if df:
                terms.append((t, w * idf))
                total += w * idf
        return terms, total

    def raw(self, terms: list[tuple[int, float]], n: int, out: np.ndarray | None = None) -> np.ndarray:
        """BM25 of every slot below ``n`` for the weighted terms (stale rows zeroed, the delta added)."""
        if out is None:
            raw = np.zeros(n, F32)
        else:
            raw = out[:n]
            raw.fill(0)
        indptr, indices, data = self.main.indptr, self.main.indices, self.main.data
        ncols = self.main.shape[1]
        for t, w in terms:
            if t < ncols:
                s, e = indptr[t], indptr[t + 1]
                if e > s:
                    raw[indices[s:e]] += F32(w) * data[s:e]
        if self._stale_idx is None:
            self._stale_idx = np.flatnonzero(self.stale[: self.main_rows])
        if self._stale_idx.size:
            raw[self._stale_idx] = 0
        for t, w in terms:
            post = self.postings.get(t)
            if post:
                slots = np.fromiter(post.keys(), np.int64, len(post))
                raw[slots] += F32(w) * np.fromiter(post.values(), F32, len(post))
        return raw

    def has_many(self, slots: np.ndarray, token: str) -> np.ndarray:
        """Whether each company's current text contains ``token`` (one search per token for all slots)."""
        out = np.zeros(slots.size, bool)
        t = self.vocab.get(token)
        if t is None or not slots.size:
            return out
        if t < self.main.shape[1]:
            col = self.main.indices[self.main.indptr[t] : self.main.indptr[t + 1]]
            if col.size:
                i = np.minimum(np.searchsorted(col, slots), col.size - 1)
                out = col[i] == slots
                main = slots < self.main_rows
                out &= main
                out[main] &= ~self.stale[slots[main]]
        for j, slot in enumerate(slots.tolist()):
            if slot in self.delta:
                out[j] = bool(np.any(self.delta[slot][0] == t))
        return out

    def nbytes(self) -> int:
        m = self.main
        total = m.data.nbytes + m.indices.nbytes + m.indptr.nbytes + self.df.nbytes + self.dl.nbytes + self.stale.nbytes
        total += sys.getsizeof(self.vocab) + sum(sys.getsizeof(k) + 28 for k in self.vocab)
        total += sum(t.nbytes + v.nbytes + 64 for t, v in self.delta.values())
        total += sum(100 * len(p) for p in self.postings.values())
        return int(total)
