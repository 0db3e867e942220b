"""``jalin match NEED_REF [--top K] [--json] [--lang en]`` and ``jalin match --all [--top K] --jsonl``.

Ranks the registry for one need (a readable table, Indonesian by default, or one JSON document) or for
every open need (one JSON line per need). The output formats are documented in docs/matching-cli.md.
"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from jalin.companies.models import Company
from jalin.matching import index as matching
from jalin.matching.engine.types import WEIGHTS, Match
from jalin.sourcing.models import Need, NeedStatus

#: Column headers and fixed texts in both languages (the engine's reasons and gaps carry both already).
TEXTS = {
    "id": {
        "need": "Kebutuhan",
        "buyer": "Pembeli",
        "summary": "{shown} kandidat teratas dari {indexed} perusahaan, diperingkat dalam {ms} ms",
        "columns": ("#", "Skor", "Perusahaan", "NIB"),
        "parts": ("Teks", "Prses", "Bahan", "Sert", "Kap", "Jarak", "Siap"),
        "gaps": "Kekurangan utama",
        "legend": (
            "Bagian skor 0–1: Teks = relevansi teks, Prses = cakupan proses, Bahan = kesesuaian bahan, "
            "Sert = sertifikasi, Kap = kapasitas, Jarak = jarak ke pabrik tujuan, Siap = verifikasi dan "
            "kesiapan. ! = persyaratan wajib tidak terpenuhi (skor dikurangi)."
        ),
        "none": "Tidak ada kandidat.",
        "unknown": "Tidak ada kebutuhan dengan referensi {ref!r}.",
    },
    "en": {
        "need": "Need",
        "buyer": "Buyer",
        "summary": "top {shown} candidates of {indexed} companies, ranked in {ms} ms",
        "columns": ("#", "Score", "Company", "NIB"),
        "parts": ("Text", "Proc", "Matl", "Cert", "Cap", "Dist", "Ready"),
        "gaps": "Top gaps",
        "legend": (
            "Score parts 0–1: Text = text relevance, Proc = process coverage, Matl = material fit, Cert = "
            "certifications, Cap = capacity, Dist = distance to the delivery plant, Ready = verification and "
            "readiness. ! = a hard requirement is missing (score penalised)."
        ),
        "none": "No candidates.",
        "unknown": "No need with reference {ref!r}.",
    },
}
NAME_WIDTH = 34
GAPS_SHOWN = 2


def candidates(matches: list[Match]) -> list[dict]:
    """The matches as JSON-ready dicts with the company's NIB and name (one query for all of them)."""
    names = {pk: (nib, name) for pk, nib, name in Company.objects.filter(pk__in=[m.company_id for m in matches])
             .values_list("pk", "nib", "legal_name")}  # fmt: skip
    result = []
    for rank, match in enumerate(matches, 1):
        nib, name = names.get(match.company_id, ("", ""))
        data = match.as_dict()
        result.append({"rank": rank, "company_id": data.pop("company_id"), "nib": nib, "name": name, **data})
    return result


def need_header(need: Need) -> dict:
    return {"id": need.pk, "reference": need.reference, "title": need.title, "buyer": need.buyer.legal_name}


class Command(BaseCommand):
    help = "Rank the registry for a need (by reference), or for every open need with --all."

    def add_arguments(self, parser):
        parser.add_argument("reference", nargs="?", help="the need's reference, e.g. DPM-2019-014")
        parser.add_argument("--all", action="store_true", help="rank every open need")
        parser.add_argument("--top", type=int, default=20, metavar="K", help="candidates per need (default 20)")
        parser.add_argument("--json", action="store_true", help="one JSON document (with a reference)")
        parser.add_argument("--jsonl", action="store_true", help="one JSON line per need (with --all)")
        parser.add_argument("--lang", choices=["id", "en"], default="id", help="table language (default id)")

    def handle(self, *args, reference=None, top=20, lang="id", **options):
        texts = TEXTS[lang]
        if top < 1:
            raise CommandError("--top must be 1 or more.")
        if bool(reference) == bool(options["all"]):
            raise CommandError("Give a need reference, or --all.")
        if options["json"] and options["all"]:
            raise CommandError("--json is for one need; use --jsonl with --all.")
        if options["jsonl"] and not options["all"]:
            raise CommandError("--jsonl is for --all; use --json with one need.")
        if options["all"]:
            self.rank_all(top=top, jsonl=options["jsonl"], lang=lang)
            return
        need = Need.objects.select_related("buyer").filter(reference__iexact=reference.strip()).first()
        if need is None:
            raise CommandError(texts["unknown"].format(ref=reference))
        matching.get_index()  # build it first (once per process), so the time shown is the ranking's
        started = time.perf_counter()
        matches = matching.rank_need(need, top_k=top)
        elapsed = time.perf_counter() - started
        if options["json"]:
            document = {
                "need": need_header(need),
                "top": top,
                "companies_indexed": matching.index_status()["companies"],
                "candidates": candidates(matches),
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.write_table(need, matches, lang=lang, seconds=elapsed)

    def rank_all(self, *, top: int, jsonl: bool, lang: str) -> None:
        needs = list(Need.objects.filter(status=NeedStatus.OPEN).select_related("buyer").order_by("reference"))
        if needs:
            matching.get_index()  # built once; the time reported below is the sync and the rankings
        started = time.perf_counter()
        if needs:
            matching.sync()
        for need in needs:
            begun = time.perf_counter()
            matches = matching.rank_need(need, top_k=top, synced=True)
            if jsonl:
                line = {**need_header(need), "candidates": candidates(matches)}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.write_table(need, matches, lang=lang, seconds=time.perf_counter() - begun)
        sys.stderr.write(f"{len(needs)} open needs ranked in {time.perf_counter() - started:.2f} s\n")

    def write_table(self, need: Need, matches: list[Match], *, lang: str, seconds: float) -> None:
        out, texts = self.stdout, TEXTS[lang]
        out.write(f"{texts['need']} {need.reference} · {need.title}")
        indexed = matching.index_status()["companies"]
        summary = texts["summary"].format(shown=len(matches), indexed=_number(indexed, lang), ms=round(seconds * 1000))
        out.write(f"{texts['buyer']}: {need.buyer.legal_name} · {summary}\n")
        if not matches:
            out.write(texts["none"])
            return
        rank_h, score_h, name_h, nib_h = texts["columns"]
        parts_h = " ".join(f"{h:>5}" for h in texts["parts"])
        out.write(f"{rank_h:>3} {score_h:>6}  {name_h:<{NAME_WIDTH}} {nib_h:<13} {parts_h}  {texts['gaps']}")
        for row in candidates(matches):
            name = row["name"] if len(row["name"]) <= NAME_WIDTH else row["name"][: NAME_WIDTH - 1] + "…"
            flag = "!" if row["hard_missing"] else " "
            parts = " ".join(f"{row['parts'].get(p, 0):>5.2f}" for p in WEIGHTS)
            gaps = "; ".join(g[lang] for g in row["gaps"][:GAPS_SHOWN])
            out.write(
                f"{row['rank']:>3} {row['score']:>5.3f}{flag} {name:<{NAME_WIDTH}} {row['nib']:<13} {parts}  {gaps}"
            )
        out.write("\n" + texts["legend"])


def _number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text
