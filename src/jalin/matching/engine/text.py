"""Tokenising, normalising and bilingual lexicon expansion of free text into concept tokens.

The pipeline, the same for a company's profile and a buyer's need:

1. Unicode NFKD, accents dropped, lower case.
2. Tokens: words and numbers (``110cc``, ``m6``, ``s45c`` stay whole), HS codes (``8708.92`` → ``hs870892``);
   punctuation ends a clause (phrases never cross it); hyphens split words (``jari-jari`` → ``jari jari``).
3. Longest-match lexicon lookup over up to :data:`~.lexicon.MAX_PHRASE` words: a match is replaced by its
   concept tokens (``kampas rem`` → ``brake-lining``, ``muffler`` → ``exhaust``, ``per daun`` →
   ``leaf-spring spring``); ``per bulan`` is dropped, ``per`` alone is a spring.
4. The rest: stop words and pure numbers are dropped, a word after a delivery marker (``delivery
   Cikarang``) is a place and is dropped, ``baut2`` → ``baut`` (Indonesian reduplication), then two
   optional fallbacks that only ever land on a lexicon word (a whitelist, so *pengelasan* can become
   *las* but never *kelas*): English plurals (``brackets`` → ``bracket``) and Indonesian affixes
   (``penempaan`` → ``tempa``). Whatever is left is kept as a raw token.

No general stemmer (they turn *pengelasan* into *kelas*) and no third-party stop-word list (they drop
*per*). See ``bench/matching_quality.py`` for the measured effect of each fallback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon as builtin

_HS = re.compile(r"\b\d{4}\.\d{2}(?:\.\d{2,4})?\b")
_PUNCT = re.compile(r"[,;:.!?()\[\]|\n/+*\"]")
_WORD = re.compile(r"[a-z0-9]+")
_MARKER = object()  # a word after which the rest of the clause is a place
_NUMBER = re.compile(r"^\d+$")
_REDUPLICATED = re.compile(r"^([a-z]{3,})2$")
_EXTRA_STOPWORDS = frozenset({"hs", "code", "kode", "no", "nomor"})

# Indonesian affixes, longest first; a prefix may come with a restored initial consonant (nasal assimilation:
# pe-n-empa-an ← tempa, pe-m-otong ← potong, pe-ng-eras ← keras, pe-ny-ambung ← sambung).
_PREFIXES = (
    ("penge", ""),
    ("menge", ""),
    ("peng", ""),
    ("peng", "k"),
    ("meng", ""),
    ("meng", "k"),
    ("peny", "s"),
    ("meny", "s"),
    ("pem", ""),
    ("pem", "p"),
    ("mem", ""),
    ("mem", "p"),
    ("pen", ""),
    ("pen", "t"),
    ("men", ""),
    ("men", "t"),
    ("per", ""),
    ("ber", ""),
    ("ter", ""),
    ("di", ""),
    ("ke", ""),
    ("pe", ""),
    ("me", ""),
)
_SUFFIXES = ("annya", "kannya", "nya", "kan", "an", "i", "")
_CONFIX_ONLY = frozenset({"ke", "per", "pe"})


@dataclass(frozen=True)
class Analysis:
    """What a text says, as the engine uses it."""

    tokens: tuple[str, ...]  # index tokens in order, with repeats: concept tokens and surviving raw words
    concepts: frozenset[str]  # lexicon concepts (a subset of tokens)
    processes: frozenset[str]  # process codes mentioned or implied by a product (muffler → welding …)
    materials: frozenset[str]  # material codes mentioned


def normalise(text: str) -> str:
    """NFKD, accents dropped, lower case (``TÜV`` → ``tuv``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _hs(match: re.Match) -> str:
    return " hs" + match.group(0).replace(".", "")[:6] + " "


def tokenise(text: str) -> list[list[str]]:
    """Clauses of tokens: punctuation ends a clause; HS codes become ``hs`` + their first six digits."""
    text = normalise(text)
    if "." in text:
        text = _HS.sub(_hs, text)
    return [words for part in _PUNCT.split(text) if (words := _WORD.findall(part))]


class Analyzer:
    """Turns text into concept tokens with a lexicon: the built-in one plus officers' entries.

    ``extra`` is an iterable of ``(term, concept)`` pairs (``matching.LexiconEntry``); a term already in the
    built-in lexicon gains the extra concept. ``plurals`` and ``affixes`` switch the whitelist fallbacks;
    ``builtin_lexicon=False`` leaves only the extra entries (the benchmark's "no lexicon" ablation).
    """

    def __init__(
        self,
        extra: Iterable[tuple[str, str]] = (),
        *,
        plurals: bool = True,
        affixes: bool = False,
        builtin_lexicon: bool = True,
        process_codes: Iterable[str] = (),
        material_codes: Iterable[str] = (),
    ) -> None:
        self.plurals = plurals
        self.affixes = affixes
        table: dict[str, tuple[str, ...]] = {}
        for term, concepts, _language in builtin.iter_terms() if builtin_lexicon else ():
            self._add(table, term, concepts)
        for term, concept in extra:
            self._add(table, term, (concept,) if concept else ())
        self.table = table
        longest: dict[str, int] = {}
        for key in table:
            if " " in key:
                first = key.split(" ", 1)[0]
                longest[first] = max(longest.get(first, 0), key.count(" ") + 1)
        self.starts = longest  # first word of a phrase -> its longest phrase, in words
        self.words = frozenset(key for key in table if " " not in key)
        self.stopwords = builtin.STOPWORDS | _EXTRA_STOPWORDS
        self.process_codes = frozenset(builtin.PROCESS_NAMES) | frozenset(process_codes)
        self.material_codes = frozenset(builtin.MATERIAL_NAMES) | frozenset(material_codes)
        self._words: dict[str, object] = {}  # memo of what a single word becomes
        self._analyse = lru_cache(maxsize=50_000)(self.analyse_uncached)

    @staticmethod
    def _add(table: dict[str, tuple[str, ...]], term: str, concepts: tuple[str, ...]) -> None:
        key = " ".join(w for clause in tokenise(term) for w in clause)
        if not key:
            return
        old = table.get(key)
        table[key] = concepts if old is None else tuple(dict.fromkeys((*old, *concepts)))

    # --- the fallbacks ----------------------------------------------------------------------------------

    def _plural(self, word: str) -> str | None:
        if len(word) > 3 and word.endswith("s"):
            for stem in (word[:-1], word[:-2] if word.endswith("es") else "", word[:-3] + "y"):
                if stem in self.words:
                    return stem
        return None

    def _affix(self, word: str) -> str | None:
        for suffix in _SUFFIXES:
            if suffix and not word.endswith(suffix):
                continue
            base = word[: len(word) - len(suffix)] if suffix else word
            if suffix and base in self.words:
                return base
            for prefix, restore in _PREFIXES:
                if prefix in _CONFIX_ONLY and suffix not in ("an", "annya"):
                    continue  # ke-/per-/pe- only as confixes with -an: kelas is not ke + las
                if base.startswith(prefix):
                    stem = restore + base[len(prefix) :]
                    if len(stem) >= 3 and stem in self.words:
                        return stem
        return None

    # --- analysis ---------------------------------------------------------------------------------------

    def analyse(self, text: str) -> Analysis:
        return self._analyse(text or "")

    def tokens(self, text: str) -> tuple[str, ...]:
        return self.analyse(text).tokens

    def _phrase(self, words: list[str]) -> str | None:
        """The lexicon key for a phrase, also with its last word in the singular (``pump housings``)."""
        key = " ".join(words)
        if key in self.table:
            return key
        last = words[-1]
        if self.plurals and len(last) > 3 and last.endswith("s"):
            head = " ".join(words[:-1])
            for stem in (last[:-1], last[:-2] if last.endswith("es") else ""):
                if stem and f"{head} {stem}" in self.table:
                    return f"{head} {stem}"
        return None

    def analyse_uncached(self, text: str) -> Analysis:
        table, starts, words = self.table, self.starts, self._words
        out: list[str] = []
        concepts: list[str] = []
        for clause in tokenise(text):
            i, n = 0, len(clause)
            while i < n:
                word = clause[i]
                longest = starts.get(word)
                if longest:
                    found = None
                    for length in range(min(longest, n - i), 1, -1):
                        key = self._phrase(clause[i : i + length])
                        if key is not None:
                            found, i = table[key], i + length
                            break
                    if found is not None:
                        out.extend(found)
                        concepts.extend(found)
                        continue
                entry = words.get(word)
                if entry is None:
                    entry = self._word(word)
                    if len(words) < 200_000:
                        words[word] = entry
                if entry is _MARKER:
                    break  # the rest of the clause names a place
                i += 1
                tokens, is_concept = entry
                if tokens:
                    out.extend(tokens)
                    if is_concept:
                        concepts.extend(tokens)
        concept_set = frozenset(concepts)
        processes = set(concept_set & self.process_codes)
        for concept in concept_set:
            processes.update(builtin.PRODUCT_PROCESSES.get(concept, ()))
        return Analysis(
            tokens=tuple(out),
            concepts=concept_set,
            processes=frozenset(processes),
            materials=frozenset(concept_set & self.material_codes),
        )

    def _word(self, word: str):
        """What one word (not starting a phrase) becomes: (tokens, whether they are concepts), or the marker."""
        if word in self.table:
            return self.table[word], True
        if word in builtin.LOCATION_MARKERS:
            return _MARKER
        if word in self.stopwords or _NUMBER.match(word):
            return (), False
        return self._fallback(word)

    def _fallback(self, word: str) -> tuple[tuple[str, ...], bool]:
        match = _REDUPLICATED.match(word)
        if match:
            word = match.group(1)
            if word in self.table:
                return self.table[word], True
        stem = (self.plurals and self._plural(word)) or (self.affixes and self._affix(word)) or None
        if stem is not None:
            return self.table[stem], True
        return (word,), False
