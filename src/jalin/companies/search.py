"""Full-text search over ``Company.search_text``.

On PostgreSQL, ``search_text__fts="knalpot tegal"`` compiles to
``to_tsvector('simple', search_text) @@ to_tsquery('simple', 'knalpot:* & tegal:*')``, which the GIN
expression index of migration 0002 answers; the ``simple`` configuration keeps Indonesian trade words
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
