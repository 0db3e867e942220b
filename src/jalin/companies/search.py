"""Full-text search over ``Company.search_text``.

On PostgreSQL, ``search_text__fts="knalpot tegal"`` compiles to
``to_tsvector('simple', search_text) @@ to_tsquery('simple', 'knalpot:* & tegal:*')`` (no index answers it
since migration 0006: use it on small tables only); the ``simple`` configuration keeps Indonesian trade words
as they are (no English stemming, no stop words: *per* means spring here). Elsewhere (SQLite) every
word must occur as a substring, case-insensitively.

The registry list uses ``search_text__companyfts``: the same on SQLite, and on PostgreSQL the stored
``search_vector`` column of the row's table (migration 0004, GIN-indexed, not declared on the model)
instead of an expression recomputed per row: ``"companies_company"."search_vector" @@ to_tsquery(…)``.
"""

from __future__ import annotations

import re

from django.db.models import Lookup, TextField
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

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = terms(self.rhs)
        if not words:
            return "1=1", []
        clauses = [f"LOWER({lhs}) LIKE %s" for _ in words]
        params = []
        for w in words:
            params += [*lhs_params, f"%{w}%"]
        return " AND ".join(clauses), params

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = terms(self.rhs)
        if not words:
            return "TRUE", []
        return f"to_tsvector('simple'::regconfig, {lhs}) @@ to_tsquery('simple'::regconfig, %s)", [
            *lhs_params,
            tsquery(words),
        ]


@TextField.register_lookup
class CompanyFullText(FullText):
    """``fts`` over ``Company.search_text`` through its stored, indexed tsvector column on PostgreSQL."""

    lookup_name = "companyfts"

    def as_postgresql(self, compiler, connection):
        from .models import Company

        lhs = self.lhs
        if not (isinstance(lhs, Col) and lhs.target is Company._meta.get_field("search_text")):
            return super().as_postgresql(compiler, connection)  # not the company column: the plain expression
        words = terms(self.rhs)
        if not words:
            return "TRUE", []
        column = f"{compiler.quote_name_unless_alias(lhs.alias)}.{connection.ops.quote_name(VECTOR_COLUMN)}"
        return f"{column} @@ to_tsquery('simple'::regconfig, %s)", [tsquery(words)]


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
        from .models import Company

        lhs = self.lhs
        if not (isinstance(lhs, Col) and lhs.target is Company._meta.get_field("search_text")):
            raise NotImplementedError("filter tokens are stored for Company.search_text only")
        tokens = list(self.rhs)
        if not tokens:
            return "TRUE", []
        column = f"{compiler.quote_name_unless_alias(lhs.alias)}.{connection.ops.quote_name(VECTOR_COLUMN)}"
        query = " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens)
        return f"{column} @@ %s::tsquery", [query]
