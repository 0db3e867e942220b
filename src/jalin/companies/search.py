"""Full-text search over ``Company.search_text``.

On PostgreSQL, ``search_text__fts="knalpot tegal"`` compiles to
``to_tsvector('simple', search_text) @@ to_tsquery('simple', 'knalpot:* & tegal:*')`` (no index answers it
since migration 0006: use it on small tables only); the ``simple`` configuration keeps Indonesian trade words
as they are (no English stemming, no stop words: *per* means spring here). Elsewhere (SQLite) every
word must occur as a substring, case-insensitively.

The registry list uses ``search_text__companyfts`` (:class:`CompanyFullText`), which also finds a company by
the names and synonyms of its processes and materials. Those words are not copied into each company's search
text (they were until the taxonomy moved to query time): a search word is matched against the taxonomy, a
few dozen entries maintained by officers (the word begins one of an entry's words, on every database), and
stands for "this word, or one of the matching entries". So an edited synonym finds every company at once,
and the stored text and its index hold a company's own words only (measured: 60 % shorter, an import's
company inserts about a third cheaper). On PostgreSQL the
entries are the filter tokens of the stored ``search_vector`` (migration 0004, GIN-indexed, not declared on
the model): ``search_vector @@ ((to_tsquery('simple', 'las:*') || '=p7 | =p12'::tsquery) && …)``; on
SQLite, the links to the entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Lookup, TextField, Value
from django.db.models.expressions import Col

_WORD = re.compile(r"[0-9A-Za-zÀ-ÿ]+")
#: The stored tsvector of ``search_text`` on PostgreSQL (companies migration 0004).
VECTOR_COLUMN = "search_vector"


def terms(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query or "")][:12]


def tsquery(words: list[str]) -> str:
    return " & ".join(f"{w}:*" for w in words)


@TextField.register_lookup
class FullText(Lookup):
    lookup_name = "fts"
    prepare_rhs = False

    def words(self) -> list[str]:
        return terms(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self.words()
        if not words:
            return "1=1", []
        clauses = [f"LOWER({lhs}) LIKE %s" for _ in words]
        params = []
        for w in words:
            params += [*lhs_params, f"%{w}%"]
        return " AND ".join(clauses), params

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self.words()
        if not words:
            return "TRUE", []
        return f"to_tsvector('simple'::regconfig, {lhs}) @@ to_tsquery('simple'::regconfig, %s)", [
            *lhs_params,
            tsquery(words),
        ]


@dataclass(frozen=True, slots=True)
class Entry:
    """A process or material as a search word sees it: its names, its filter token, and its words (of the
    Indonesian and English names and the synonyms), lower-cased."""

    kind: str  # "process" or "material"
    id: int
    name_id: str
    name_en: str
    words: tuple[str, ...]

    def __str__(self) -> str:  # the name in the reader's language, as Taxonomy.__str__
        from .models import in_language

        return in_language(self.name_id, self.name_en)

    @property
    def token(self) -> str:
        return process_token(self.id) if self.kind == "process" else material_token(self.id)

    def matches(self, word: str) -> bool:
        """Whether ``word`` (from :func:`terms`) finds this entry: it begins one of the entry's words, as
        ``word:*`` matches a stored word on PostgreSQL. On every database: SQLite's substring match of the
        company's own text would make *las* (welding) find plastic (*plastik*)."""
        return any(w.startswith(word) for w in self.words)


#: The company's many-to-many field of each kind of entry.
LINKS = {"process": "processes", "material": "materials"}


def taxonomy_entries() -> list[Entry]:
    """Every process and material, retired ones included (companies may still have them), in one query."""
    from .models import Material, Process

    columns = ("id", "name_id", "name_en", "synonyms")
    processes = Process.objects.order_by().annotate(kind=Value("process")).values_list("kind", *columns)
    materials = Material.objects.order_by().annotate(kind=Value("material")).values_list("kind", *columns)
    entries = []
    for kind, pk, name_id, name_en, synonyms in processes.union(materials, all=True):
        words = _WORD.findall(" ".join(n for n in (name_id, name_en, synonyms) if n).lower())
        entries.append(Entry(kind, pk, name_id, name_en, tuple(words)))
    return entries


class CompanySearch:
    """What a user typed in the registry's search box, with the taxonomy entries each word finds. The entries
    are read once, when the query is first compiled (a list page compiles it for the count and for the page),
    and only when there are words."""

    def __init__(self, query: str):
        self.query = query
        self.words = terms(query)
        self._entries: list[Entry] | None = None

    def __repr__(self) -> str:
        return f"CompanySearch({self.query!r})"

    def entries(self, word: str) -> list[Entry]:
        if self._entries is None:
            self._entries = taxonomy_entries()
        return [e for e in self._entries if e.matches(word)]

    def expansions(self) -> list[tuple[str, list[Entry]]]:
        """Each word that finds processes or materials, with them (by name): for the list page to say why a
        company without the word is among the results."""
        found = [(word, self.entries(word)) for word in self.words]
        return [(word, sorted(entries, key=lambda e: (e.kind, str(e)))) for word, entries in found if entries]


def _company_column(lookup: Lookup):
    """The lookup's left side if it is ``Company.search_text`` itself (a column, not an expression)."""
    from .models import Company

    lhs = lookup.lhs
    return lhs if isinstance(lhs, Col) and lhs.target is Company._meta.get_field("search_text") else None


@TextField.register_lookup
class CompanyFullText(FullText):
    """``fts`` over ``Company.search_text`` that also finds a company by its processes' and materials' names and
    synonyms (see the module's docstring). The right side is the typed text or a :class:`CompanySearch`.
    On another text column, the plain ``fts``."""

    lookup_name = "companyfts"

    def get_prep_lookup(self):
        return self.rhs if isinstance(self.rhs, CompanySearch) else CompanySearch(self.rhs)

    def words(self) -> list[str]:
        return self.rhs.words

    def as_sql(self, compiler, connection):
        column = _company_column(self)
        if column is None:
            return super().as_sql(compiler, connection)
        search = self.rhs
        if not search.words:
            return "1=1", []
        from .models import Company

        lhs, lhs_params = self.process_lhs(compiler, connection)
        pk = f"{compiler.quote_name_unless_alias(column.alias)}.{connection.ops.quote_name(Company._meta.pk.column)}"
        clauses, params = [], []
        for word in search.words:
            alternatives = [f"LOWER({lhs}) LIKE %s"]
            params += [*lhs_params, f"%{word}%"]
            found: dict[str, list[int]] = {}
            for entry in search.entries(word):
                found.setdefault(entry.kind, []).append(entry.id)
            for kind, ids in sorted(found.items()):
                through = Company._meta.get_field(LINKS[kind]).remote_field.through
                table = connection.ops.quote_name(through._meta.db_table)
                source = connection.ops.quote_name(through._meta.get_field("company").column)
                target = connection.ops.quote_name(through._meta.get_field(kind).column)
                marks = ", ".join(["%s"] * len(ids))
                alternatives.append(f"{pk} IN (SELECT {source} FROM {table} WHERE {target} IN ({marks}))")  # noqa: S608
                params += ids
            clauses.append("(" + " OR ".join(alternatives) + ")")
        return " AND ".join(clauses), params

    def as_postgresql(self, compiler, connection):
        column = _company_column(self)
        if column is None:
            return super().as_postgresql(compiler, connection)  # not the company column: the plain expression
        search = self.rhs
        if not search.words:
            return "TRUE", []
        vector = f"{compiler.quote_name_unless_alias(column.alias)}.{connection.ops.quote_name(VECTOR_COLUMN)}"
        parts, params = [], []
        for word in search.words:
            tokens = [e.token for e in search.entries(word)]
            if tokens:
                parts.append("(to_tsquery('simple'::regconfig, %s) || %s::tsquery)")
                params += [f"{word}:*", " | ".join(_quoted(t) for t in tokens)]
            else:
                parts.append("to_tsquery('simple'::regconfig, %s)")
                params.append(f"{word}:*")
        return f"{vector} @@ ({' && '.join(parts)})", params


# --- filter tokens ------------------------------------------------------------------------------------------
#
# On PostgreSQL the stored ``search_vector`` also holds a company's filter tokens (migration 0005): its
# regency and province, processes, materials and certification types, by id (ids never change, codes may).
# They begin with "=", which no search word can (``terms()`` keeps letters and digits), so a prefix search
# never matches one. ``Company.filter_tokens`` holds them as text (derived like ``search_text``); the
# relational filters of ``companies.queries`` stay the meaning, and the tokens answer them on PostgreSQL.


def region_token(region_id: int) -> str:
    return f"=r{region_id}"


def province_token(province_id: int) -> str:
    return f"=pr{province_id}"


def process_token(process_id: int) -> str:
    return f"=p{process_id}"


def material_token(material_id: int) -> str:
    return f"=m{material_id}"


def certification_token(type_id: int) -> str:
    """The company holds a certification of this type, valid or not (validity is checked relationally)."""
    return f"=c{type_id}"


@TextField.register_lookup
class CompanyTokens(Lookup):
    """``search_text__companytokens=["=p3", "=r12"]``: the company has every token, through the GIN index of
    ``search_vector`` (PostgreSQL only: elsewhere the caller filters relationally)."""

    lookup_name = "companytokens"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def as_sql(self, compiler, connection):
        raise NotImplementedError("filter tokens are searched on PostgreSQL only")

    def as_postgresql(self, compiler, connection):
        lhs = _company_column(self)
        if lhs is None:
            raise NotImplementedError("filter tokens are stored for Company.search_text only")
        tokens = list(self.rhs)
        if not tokens:
            return "TRUE", []
        column = f"{compiler.quote_name_unless_alias(lhs.alias)}.{connection.ops.quote_name(VECTOR_COLUMN)}"
        return f"{column} @@ %s::tsquery", [" & ".join(_quoted(t) for t in tokens)]


def _quoted(token: str) -> str:
    """A filter token as a tsquery operand, taken as it is (a cast, not ``to_tsquery``, whose parser would
    drop the "=")."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
