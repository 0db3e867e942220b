"""Import throughput of the registry: a generated 100,000-row CSV through Jalin's importer, and the same kind
of rows through the plain per-row alternative (the "peer"), in one run against one database.

    .venv/bin/python bench/registry_import.py                      # SQLite (a throwaway file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/registry_import.py

A throwaway test database is created (``test_<name>``, migrated, regions loaded) and dropped at the end.
Jalin's importer runs a full commit (all or nothing) with validation, derived fields, many-to-many rows,
certifications and the change log. The peer is what a developer would write without it: a loop of
``Company.objects.update_or_create(nib=…, defaults=…)`` and ``.processes.set()`` / ``.materials.set()`` /
``.kbli.set()`` in one transaction, with only the parsing needed to store the values (no validation, no
change log, no certifications, no derived fields), on a 5,000-row slice.

Then the upsert's other half: each file again with two cells of every row changed (the legal name and the
workforce), so that every row updates an existing company, through Jalin's importer and through the peer's
loop (``--no-update`` skips it).

The last line printed is JSON: {"rows": …, "jalin_rows_per_s": …, "peer_rows_per_s": …, "ratio": …,
"jalin_update_rows_per_s": …, "peer_update_rows_per_s": …, "update_ratio": …, "db": …},
with the importer's CPU seconds and the machine's load average before it ran, since a shared machine's
other work shows in the wall-clock figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HEADER = [
    "nib",
    "npwp",
    "legal_name",
    "brand_name",
    "kind",
    "region",
    "address",
    "latitude",
    "longitude",
    "workforce",
    "investment",
    "business_capital",
    "turnover",
    "products",
    "hs_codes",
    "kbli",
    "processes",
    "materials",
    "monthly_capacity",
    "contact_name",
    "phone",
    "email",
    "certifications",
]

PREFIXES = ["CV", "PT", "UD", "PT", "CV"]
WORDS = [
    "Logam",
    "Jaya",
    "Mandiri",
    "Teknik",
    "Karya",
    "Presisi",
    "Abadi",
    "Sinar",
    "Baja",
    "Makmur",
    "Sejahtera",
    "Manunggal",
    "Cahaya",
    "Mitra",
    "Sentosa",
    "Utama",
]
PRODUCTS = [
    ("knalpot racing dan standar", "8708.92"),
    ("bracket dan komponen pres", "8708.29"),
    ("komponen bubut presisi, baut khusus", "7318.15"),
    ("coran besi FC/FCD untuk rumah pompa", "7325.10"),
    ("gear dan sproket motor", "8714.10"),
    ("per daun dan coil spring", "7320.10"),
    ("karet seal, grommet, bushing", "4016.93"),
    ("part plastik injeksi dashboard", "8708.29"),
    ("velg cor aluminium", "8708.70"),
    ("jig dan dies stamping", "8207.30"),
]
FIRST = ["Budi", "Siti", "Agus", "Dewi", "Slamet", "Sri", "Joko", "Rina", "Bambang", "Wahyu", "Eko", "Nur"]
LAST = ["Santoso", "Rahayu", "Wibowo", "Lestari", "Saputra", "Hidayat", "Purnomo", "Susanti"]


def npwp(rng: random.Random) -> str:
    from stdnum import luhn
    from stdnum.id import npwp as stdnum_npwp

    base = f"{rng.randrange(1, 99):02d}{rng.randrange(0, 10**6):06d}"
    return stdnum_npwp.format(base + luhn.calc_check_digit(base) + f"{rng.randrange(1, 999):03d}000")


def rupiah(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # 1.500.000.000, as Indonesians write it


def generate(path: Path, rows: int, *, start: int, seed: int, regions: list, taxonomy: dict) -> None:
    rng = random.Random(seed)
    processes, materials = taxonomy["processes"], taxonomy["materials"]
    certs, kbli = taxonomy["certs"], taxonomy["kbli"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            code, lat, lon = rng.choice(regions)
            name = f"{rng.choice(PREFIXES)} {rng.choice(WORDS)} {rng.choice(WORDS)} {start + i}"
            product, hs = rng.choice(PRODUCTS)
            workforce = rng.choice([3, 5, 8, 12, 18, 25, 40, 80, 150])
            investment = rng.randrange(50, 20_000) * 1_000_000
            lat_text = f"{lat + rng.uniform(-0.2, 0.2):.5f}"
            lon_text = f"{lon + rng.uniform(-0.2, 0.2):.5f}"
            if i % 3 == 0:  # some rows with the Indonesian decimal comma
                lat_text, lon_text = lat_text.replace(".", ","), lon_text.replace(".", ",")
            cert = ""
            if i % 4 == 0:
                cert = f"{rng.choice(certs)}:{2026 + rng.randrange(3)}-{rng.randrange(1, 13):02d}-28"
            contact = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            writer.writerow(
                [
                    f"{9120000000000 + start + i:013d}",
                    npwp(rng) if i % 2 else "",
                    name,
                    name.split(" ", 2)[1],
                    "ikm",
                    code,
                    f"Jl. Raya {rng.choice(WORDS)} No. {rng.randrange(1, 200)}",
                    lat_text,
                    lon_text,
                    workforce,
                    rupiah(investment),
                    rupiah(investment // 2),
                    rupiah(investment * 3),
                    product,
                    hs,
                    rng.choice(kbli),
                    "; ".join(rng.sample(processes, rng.randrange(1, 4))),
                    "; ".join(rng.sample(materials, rng.randrange(1, 3))),
                    rng.randrange(1, 200) * 100,
                    contact,
                    f"08{rng.randrange(10**9, 10**10)}",
                    f"{contact.split()[0].lower()}{start + i}@ikm.example",
                    cert,
                ]
            )


def changed_copy(path: Path) -> Path:
    """The file with every row's legal name and workforce changed: an import of it updates every company."""
    out = path.with_name(path.stem + "-changed.csv")
    name, workforce = HEADER.index("legal_name"), HEADER.index("workforce")
    with open(path, newline="", encoding="utf-8") as f, open(out, "w", newline="", encoding="utf-8") as g:
        reader, writer = csv.reader(f), csv.writer(g)
        writer.writerow(next(reader))
        for row in reader:
            row[name] += " Baru"
            row[workforce] = str(int(row[workforce]) + 1)
            writer.writerow(row)
    return out


def run_jalin(path: Path) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of this process (PostgreSQL's own work is not in it)."""
    from jalin.companies.importer import run_import

    started, cpu = time.perf_counter(), time.process_time()
    report = run_import(path, filename=path.name, actor=None, dry_run=False, all_or_nothing=True)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if not report.committed or report.errors:
        for line in list(report.lines())[:20]:
            print(line, file=sys.stderr)
        raise SystemExit("Jalin's import did not commit")
    return elapsed, cpu


def run_peer(path: Path) -> float:
    """The plain alternative: one update_or_create and three .set() per row."""
    from django.db import transaction

    from jalin.companies.models import Company, Kbli, Material, Process
    from jalin.regions.models import Region

    regions = dict(Region.objects.values_list("code", "pk"))
    processes = dict(Process.objects.values_list("code", "pk"))
    materials = dict(Material.objects.values_list("code", "pk"))
    kbli = dict(Kbli.objects.values_list("code", "pk"))

    def money(text: str):
        return int(text.replace(".", "")) if text else None

    def coordinate(text: str):
        return Decimal(text.replace(",", ".")).quantize(Decimal("0.000001")) if text else None

    def codes(text: str, table: dict) -> list[int]:
        return [table[c.strip()] for c in text.replace(",", ";").split(";") if c.strip()]

    started = time.perf_counter()
    with transaction.atomic(), open(path, newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            company, _created = Company.objects.update_or_create(
                nib=rec["nib"],
                defaults={
                    "npwp": rec["npwp"].replace(".", "").replace("-", ""),
                    "legal_name": rec["legal_name"],
                    "brand_name": rec["brand_name"],
                    "kind": rec["kind"],
                    "region_id": regions[rec["region"]],
                    "address": rec["address"],
                    "latitude": coordinate(rec["latitude"]),
                    "longitude": coordinate(rec["longitude"]),
                    "workforce": int(rec["workforce"]),
                    "investment": money(rec["investment"]),
                    "business_capital": money(rec["business_capital"]),
                    "turnover": money(rec["turnover"]),
                    "products": rec["products"],
                    "hs_codes": rec["hs_codes"],
                    "monthly_capacity": int(rec["monthly_capacity"]),
                    "contact_name": rec["contact_name"],
                    "phone": rec["phone"],
                    "email": rec["email"],
                },
            )
            company.processes.set(codes(rec["processes"], processes))
            company.materials.set(codes(rec["materials"], materials))
            company.kbli.set(codes(rec["kbli"], kbli))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-rows", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV files")
    parser.add_argument("--no-update", action="store_true", help="skip the second import (every row an update)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of Jalin's import (this process) to FILE")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalin.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    workdir = Path(tempfile.mkdtemp(prefix="jalin-bench-"))
    vendor = connection.vendor
    if vendor == "sqlite":
        # A file, not the in-memory default of SQLite test databases: the embedded product runs on a file.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from jalin.companies.models import CertificationType, Kbli, Material, Process
        from jalin.regions.loader import load_regions
        from jalin.regions.models import Region

        load_regions()
        regions = [
            (r.code, float(r.latitude or -6.9), float(r.longitude or 110.0))
            for r in Region.objects.exclude(level="province")
        ]
        taxonomy = {
            "processes": list(Process.objects.values_list("code", flat=True)),
            "materials": list(Material.objects.values_list("code", flat=True)),
            "certs": list(CertificationType.objects.values_list("code", flat=True)),
            "kbli": list(Kbli.objects.values_list("code", flat=True)),
        }
        jalin_csv, peer_csv = workdir / "companies.csv", workdir / "peer.csv"
        generate(jalin_csv, args.rows, start=0, seed=2019, regions=regions, taxonomy=taxonomy)
        generate(peer_csv, args.peer_rows, start=args.rows, seed=2018, regions=regions, taxonomy=taxonomy)
        print(f"db={vendor} rows={args.rows} file={jalin_csv.stat().st_size / 1e6:.1f} MB", file=sys.stderr)

        load_before = os.getloadavg()[0]
        if args.profile:
            import cProfile

            with cProfile.Profile() as profiler:
                jalin_seconds, jalin_cpu = run_jalin(jalin_csv)
            profiler.dump_stats(args.profile)
        else:
            jalin_seconds, jalin_cpu = run_jalin(jalin_csv)
        jalin_rate = args.rows / jalin_seconds
        print(
            f"jalin: {args.rows} rows in {jalin_seconds:.1f} s = {jalin_rate:,.0f} rows/s "
            f"(CPU of this process {jalin_cpu:.1f} s; load average {load_before:.1f})",
            file=sys.stderr,
        )
        peer_seconds = run_peer(peer_csv)
        peer_rate = args.peer_rows / peer_seconds
        print(f"peer:  {args.peer_rows} rows in {peer_seconds:.1f} s = {peer_rate:,.0f} rows/s", file=sys.stderr)
        update = {}
        if not args.no_update:
            seconds, cpu = run_jalin(changed_copy(jalin_csv))
            peer = run_peer(changed_copy(peer_csv))
            update = {
                "jalin_update_rows_per_s": round(args.rows / seconds),
                "jalin_update_seconds": round(seconds, 2),
                "peer_update_rows_per_s": round(args.peer_rows / peer),
                "update_ratio": round((args.rows / seconds) / (args.peer_rows / peer), 1),
            }
            print(
                f"jalin, every row an update: {args.rows} rows in {seconds:.1f} s = {args.rows / seconds:,.0f} rows/s"
                f" (CPU {cpu:.1f} s); peer: {args.peer_rows / peer:,.0f} rows/s",
                file=sys.stderr,
            )
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
        if not args.keep:
            for path in workdir.iterdir():
                path.unlink()
            workdir.rmdir()
    print(
        json.dumps(
            {
                "rows": args.rows,
                "jalin_rows_per_s": round(jalin_rate),
                "jalin_seconds": round(jalin_seconds, 2),
                "jalin_cpu_seconds": round(jalin_cpu, 2),
                "load_avg_1m": round(load_before, 2),
                "peer_rows": args.peer_rows,
                "peer_rows_per_s": round(peer_rate),
                "ratio": round(jalin_rate / peer_rate, 1),
                **update,
                "db": "postgresql" if vendor == "postgresql" else vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
