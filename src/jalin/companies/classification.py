"""Size classes by regulation. Pure functions: no Django import.

Industry class — Permenperin No. 64/M-IND/PER/7/2016 (Besaran Jumlah Tenaga Kerja dan Nilai Investasi
untuk Klasifikasi Usaha Industri), article 2–4; investment excludes land and buildings:

- small industry:  at most 19 workers **and** investment below Rp 1 billion;
- medium industry: at most 19 workers with investment of at least Rp 1 billion, **or**
                   at least 20 workers with investment of at most Rp 15 billion;
- large industry:  at least 20 workers **and** investment above Rp 15 billion.

Enterprise class — PP No. 7 Tahun 2021, article 35; business capital excludes land and buildings,
or annual sales where capital is not known:

- micro:  capital up to Rp 1 billion, or sales up to Rp 2 billion;
- small:  capital above Rp 1 up to Rp 5 billion, or sales above Rp 2 up to Rp 15 billion;
- medium: capital above Rp 5 up to Rp 10 billion, or sales above Rp 15 up to Rp 50 billion;
- large:  above those.

"Small industry" and "small enterprise" are different tests; both are shown where both are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BILLION = Decimal(1_000_000_000)

SMALL, MEDIUM, LARGE, MICRO = "small", "medium", "large", "micro"


@dataclass(frozen=True)
class Classification:
    size: str | None  # None when the inputs are missing
    rule: str  # the regulation and the clause that decided, in English (translated for display)


def industry_class(workers: int | None, investment: Decimal | int | None) -> Classification:
    """Industry size class per Permenperin 64/M-IND/PER/7/2016."""
    if workers is None or investment is None:
        return Classification(None, "Permenperin 64/2016: needs workforce and investment value")
    investment = Decimal(investment)
    if workers <= 19:
        if investment < BILLION:
            return Classification(SMALL, "Permenperin 64/2016 art. 2: ≤ 19 workers and investment < Rp 1 bn")
        return Classification(MEDIUM, "Permenperin 64/2016 art. 3(a): ≤ 19 workers and investment ≥ Rp 1 bn")
    if investment <= 15 * BILLION:
        return Classification(MEDIUM, "Permenperin 64/2016 art. 3(b): ≥ 20 workers and investment ≤ Rp 15 bn")
    return Classification(LARGE, "Permenperin 64/2016 art. 4: ≥ 20 workers and investment > Rp 15 bn")


def enterprise_class(capital: Decimal | int | None, turnover: Decimal | int | None) -> Classification:
    """Enterprise (UMKM) class per PP 7/2021 art. 35: by capital, or by annual sales when capital is unknown."""
    if capital is not None:
        capital = Decimal(capital)
        if capital <= BILLION:
            return Classification(MICRO, "PP 7/2021 art. 35(3)(a): capital ≤ Rp 1 bn")
        if capital <= 5 * BILLION:
            return Classification(SMALL, "PP 7/2021 art. 35(3)(b): capital > Rp 1 bn up to Rp 5 bn")
        if capital <= 10 * BILLION:
            return Classification(MEDIUM, "PP 7/2021 art. 35(3)(c): capital > Rp 5 bn up to Rp 10 bn")
        return Classification(LARGE, "PP 7/2021: capital > Rp 10 bn (large enterprise)")
    if turnover is not None:
        turnover = Decimal(turnover)
        if turnover <= 2 * BILLION:
            return Classification(MICRO, "PP 7/2021 art. 35(5)(a): annual sales ≤ Rp 2 bn")
        if turnover <= 15 * BILLION:
            return Classification(SMALL, "PP 7/2021 art. 35(5)(b): annual sales > Rp 2 bn up to Rp 15 bn")
        if turnover <= 50 * BILLION:
            return Classification(MEDIUM, "PP 7/2021 art. 35(5)(c): annual sales > Rp 15 bn up to Rp 50 bn")
        return Classification(LARGE, "PP 7/2021: annual sales > Rp 50 bn (large enterprise)")
    return Classification(None, "PP 7/2021: needs business capital or annual sales")
