"""Export of the registry list to CSV and XLSX, in the import format (so an export imports back unchanged).

The rows are exactly ``company_list(user, filters)``, the query of the list page and the API. Private
columns (``Company.private_fields``) are filled only for rows the user may ``view_private`` (one annotated
query, no per-row check). Every text cell goes through :func:`jalin.core.spreadsheet.safe_cell`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils import timezone

from jalin.core import spreadsheet
from jalin.core.permissions import annotate_can
from jalin.core.spreadsheet import safe_cell

from .columns import COLUMNS, IMPORT_COLUMNS
from .models import BuyerType, Certification, CertificationType, Company, CompanyKind, Kbli, Material, Process
from .queries import CompanyFilters, company_list

#: Exports of more rows than this run as a background job; smaller ones stream at once.
STREAM_LIMIT = 5000
FILTERS = ("q", "kind", "process", "material", "certification", "region", "size", "verified", "sort")
HEADER = [c.name for c in COLUMNS]
PRIVATE = frozenset(Company.private_fields)
WIDTHS = {
    "nib": 16,
    "npwp": 22,
    "legal_name": 36,
    "brand_name": 18,
    "region": 9,
    "address": 36,
    "products": 40,
    "hs_codes": 18,
    "processes": 30,
    "materials": 24,
    "certifications": 30,
    "email": 28,
    "website": 28,
    "region_name": 26,
    "contact_name": 20,
    "phone": 16,
}


def queryset(user, filters: CompanyFilters):
    qs = company_list(user, filters)
    qs = annotate_can(qs, user, "view_private", "export_private")
    return qs.prefetch_related(
        "processes",
        "materials",
        "kbli",
        Prefetch("certifications", queryset=Certification.objects.select_related("certification_type")),
    )


def _whole(value):
    return None if value is None else int(value)


def _coordinate(value):
    return None if value is None else float(value)


def row(company: Company) -> list:
    """One company as cells, in :data:`HEADER` order: numbers as numbers, text as text (not yet made safe)."""
    private = company.export_private
    certifications = "; ".join(
        f"{c.certification_type.code}:{c.valid_until.isoformat()}" if c.valid_until else c.certification_type.code
        for c in company.certifications.all()
    )
    values = {
        "nib": company.nib,
        "npwp": company.npwp,
        "legal_name": company.legal_name,
        "brand_name": company.brand_name,
        "kind": company.kind,
        "buyer_type": company.buyer_type,
        "region": company.region.code,
        "address": company.address,
        "latitude": _coordinate(company.latitude),
        "longitude": _coordinate(company.longitude),
        "workforce": company.workforce,
        "investment": _whole(company.investment),
        "business_capital": _whole(company.business_capital),
        "turnover": _whole(company.turnover),
        "products": company.products,
        "hs_codes": company.hs_codes,
        "kbli": "; ".join(k.code for k in company.kbli.all()),
        "processes": "; ".join(sorted(p.code for p in company.processes.all())),
        "materials": "; ".join(sorted(m.code for m in company.materials.all())),
        "monthly_capacity": company.monthly_capacity,
        "capacity_note": company.capacity_note,
        "contact_name": company.contact_name,
        "phone": company.phone,
        "email": company.email,
        "website": company.website,
        "certifications": certifications,
        "region_name": company.region.name,
        "industry_class": company.industry_class,
        "enterprise_class": company.enterprise_class,
        "verification": company.verification,
        "completeness": company.completeness,
        "updated": timezone.localtime(company.updated).strftime("%Y-%m-%d %H:%M"),
    }
    if not private:
        for name in PRIVATE:
            values[name] = None
    return [values[name] for name in HEADER]


def rows(user, filters: CompanyFilters) -> Iterator[list]:
    """Safe cells for every company the user sees under ``filters``, in the list's order."""
    for company in queryset(user, filters).iterator(chunk_size=2000):
        yield [safe_cell(v) for v in row(company)]


def csv_chunks(user, filters: CompanyFilters) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark (so Excel reads the accents), a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADER)
    for n, cells in enumerate(rows(user, filters), start=1):
        writer.writerow(cells)
        if n % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(out, user, filters: CompanyFilters, progress=None) -> int:
    """CSV in UTF-8 with a byte-order mark to the binary file ``out``."""
    return spreadsheet.write_csv(out, HEADER, rows(user, filters), progress)


def write_xlsx(out, user, filters: CompanyFilters, progress=None) -> int:
    """XLSX in openpyxl's write-only mode (constant memory): bold, frozen header; identifiers stored as text."""
    return spreadsheet.write_xlsx(out, "companies", HEADER, rows(user, filters), WIDTHS, progress)


def export_companies(out, *, fmt: str, user, params) -> int:
    """Write the companies ``user`` sees under the list filters in ``params`` to the binary file ``out``."""
    filters = CompanyFilters.from_params(params)
    return (write_xlsx if fmt == "xlsx" else write_csv)(out, user, filters)


# ---------------------------------------------------------------------------------------------------------
# The import templates

TEXT_COLUMNS = ("nib", "npwp", "region", "hs_codes", "kbli", "phone")  # kept as text so no zero is lost


def template_csv() -> bytes:
    """Header row and one example row, UTF-8 with a byte-order mark."""
    return spreadsheet.template_csv(IMPORT_COLUMNS)


def template_xlsx() -> bytes:
    """The template workbook: the data sheet (header, example row, lists for kind and buyer type, identifier
    columns formatted as text), a guide to every column in Indonesian and English, and the code lists."""
    from django.utils import translation

    buyer_types = ",".join(BuyerType.values)
    lists = {"kind": ("ikm,industry", "ikm / industry"), "buyer_type": (buyer_types, buyer_types)}
    wb = spreadsheet.template_workbook(
        "companies", IMPORT_COLUMNS, widths=WIDTHS, text_columns=TEXT_COLUMNS, lists=lists, list_rows=10000
    )
    with translation.override("en"):
        guide = [
            [
                column.name,
                "ya / yes" if column.required else "",
                column.help_id,
                str(column.help_en),
                column.example,
                ", ".join(column.aliases),
            ]
            for column in IMPORT_COLUMNS
        ]
    guide.append([])
    guide += [
        [line]
        for line in (
            "Satu baris = satu perusahaan. NIB menentukan: NIB baru ditambahkan, NIB yang sudah ada diperbarui. "
            "Sel kosong tidak menghapus data yang ada. Hapus baris contoh (baris 2) sebelum mengunggah.",
            "One row = one company. The NIB decides: a new NIB is added, an existing one is updated. An empty cell "
            "never erases stored data. Delete the example row (row 2) before uploading.",
        )
    ]
    spreadsheet.add_sheet(
        wb,
        "Petunjuk - Guide",
        [
            "Kolom / Column",
            "Wajib / Required",
            "Keterangan (Bahasa Indonesia)",
            "Description (English)",
            "Contoh / Example",
            "Judul lain yang diterima / Other accepted headers",
        ],
        guide,
        widths=(18, 14, 60, 60, 28, 40),
        wrap=True,
    )
    codes = list(taxonomy_codes())
    codes += [["kbli", kbli.code, kbli.title_id, kbli.title_en, ""] for kbli in Kbli.objects.order_by("code")]
    codes += [["kind", value, "", str(label), ""] for value, label in CompanyKind.choices]
    codes += [["buyer_type", value, "", str(label), ""] for value, label in BuyerType.choices]
    spreadsheet.add_sheet(wb, "Kode - Codes", spreadsheet.CODES_HEADER, codes, widths=(16, 20, 50, 50, 40))
    return spreadsheet.workbook_bytes(wb)


def taxonomy_codes() -> Iterator[list]:
    """The active processes, materials and certifications as rows of a template's code sheet (the needs'
    template lists them too)."""
    for label, model in (("processes", Process), ("materials", Material), ("certifications", CertificationType)):
        for item in model.objects.filter(is_active=True).order_by("code"):
            yield [label, item.code, item.name_id, item.name_en, item.synonyms]
