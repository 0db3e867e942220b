"""Full-text search over ``Company.search_text``.

On PostgreSQL, ``search_text__fts="knalpot tegal"`` compiles to
``to_tsvector('simple', search_text) @@ to_tsquery('simple', 'knalpot:* & tegal:*')``, which the GIN
expression index of migration 0002 answers; the ``simple`` configuration keeps Indonesian trade words
as they are (no English stemming, no stop words: *per* means spring here). Elsewhere (SQLite) every
word must occur as a substring, case-insensitively.
"""

from __future__ import annotations

import re

from django.db.models import Lookup, TextField

_WORD = re.compile(r"[0-9A-Za-zÀ-ÿ]+")


def terms(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query or "")][:12]


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
        tsquery = " & ".join(f"{w}:*" for w in words)
        return f"to_tsvector('simple'::regconfig, {lhs}) @@ to_tsquery('simple'::regconfig, %s)", [
            *lhs_params,
            tsquery,
        ]
