"""Export of the needs list to CSV and XLSX, in the import format (so an export imports back unchanged).

The rows are exactly ``need_list(user, filters)``, the query of the list page and the API. The private column
(``target_price``) is filled only for rows the user may ``view_private`` (one annotated query, no per-row check)
and left out of the file entirely for a role that never sees it (IKM, assessors). Every text cell goes
through :func:`jalin.core.spreadsheet.safe_cell`.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from jalin.core import spreadsheet
from jalin.core.permissions import annotate_can
from jalin.core.spreadsheet import safe_cell

from .columns import COLUMNS, IMPORT_COLUMNS
from .models import Need, NeedStatus, Visibility, VolumeUnit
from .queries import NeedFilters, need_list

FILTERS = ("q", "status", "buyer", "process", "material", "imported", "visibility", "sort")
PRIVATE = frozenset(Need.private_fields)
WIDTHS = {
    "reference": 16,
    "buyer_nib": 16,
    "title": 36,
    "description": 48,
    "part_category": 18,
    "processes": 28,
    "materials": 24,
    "required_certifications": 24,
    "preferred_certifications": 24,
    "delivery_plant": 20,
    "buyer_name": 32,
    "annual_import_value": 18,
    "updated": 17,
}


def queryset(user, filters: NeedFilters):
    qs = annotate_can(need_list(user, filters), user, "view_private", "export_private")
    return qs.prefetch_related("processes", "materials", "required_certifications", "preferred_certifications")


def header(user, filters: NeedFilters | None = None) -> list[str]:
    """The columns of this user's export: without the private ones for a role that never sees them (an IKM)."""
    shows_private = user.is_superuser or bool(Need.access_policy.scopes_for(user.role, "view_private"))
    return [c.name for c in COLUMNS if shows_private or c.name not in PRIVATE]


def _codes(items) -> str:
    return "; ".join(sorted(item.code for item in items))


def row(need: Need, names: list[str]) -> list:
    """One need as cells in ``names`` order: numbers as numbers, text as text (not yet made safe)."""
    values = {
        "reference": need.reference,
        "buyer_nib": need.buyer.nib,
        "title": need.title,
        "description": need.description,
        "hs_code": need.hs_code,
        "part_category": need.part_category,
        "processes": _codes(need.processes.all()),
        "materials": _codes(need.materials.all()),
        "annual_volume": need.annual_volume,
        "volume_unit": need.volume_unit,
        "target_price": int(need.target_price) if need.target_price is not None and need.export_private else None,
        "required_certifications": _codes(need.required_certifications.all()),
        "preferred_certifications": _codes(need.preferred_certifications.all()),
        "max_defect_ppm": need.max_defect_ppm,
        "delivery_plant": need.delivery_plant.name if need.delivery_plant_id else "",
        "start_date": need.start_date.isoformat() if need.start_date else "",
        "imported": "ya" if need.imported else "tidak",
        "annual_import_value": int(need.annual_import_value) if need.annual_import_value is not None else None,
        "visibility": need.visibility,
        "status": need.status,
        "hard_filter": "ya" if need.hard_filter else "tidak",
        "buyer_name": need.buyer.legal_name,
        "updated": timezone.localtime(need.updated).strftime("%Y-%m-%d %H:%M"),
    }
    return [values[name] for name in names]


def rows(user, filters: NeedFilters, names: list[str]) -> Iterator[list]:
    """Safe cells for every need the user sees under ``filters``, in the list's order."""
    for need in queryset(user, filters).iterator(chunk_size=500):
        yield [safe_cell(v) for v in row(need, names)]


def write_csv(out, user, filters: NeedFilters, progress=None) -> int:
    """CSV in UTF-8 with a byte-order mark (so Excel reads the accents) to the binary file ``out``."""
    names = header(user, filters)
    return spreadsheet.write_csv(out, names, rows(user, filters, names), progress)


def write_xlsx(out, user, filters: NeedFilters, progress=None) -> int:
    """XLSX in openpyxl's write-only mode: bold, frozen header; references and NIBs stored as text."""
    names = header(user, filters)
    return spreadsheet.write_xlsx(out, "needs", names, rows(user, filters, names), WIDTHS, progress)


def export_needs(out, *, fmt: str, user, params) -> int:
    """Write the needs ``user`` sees under the list filters in ``params`` to the binary file ``out``."""
    filters = NeedFilters.from_params(params)
    return (write_xlsx if fmt == "xlsx" else write_csv)(out, user, filters)


# ---------------------------------------------------------------------------------------------------------
# The import templates


def template_csv() -> bytes:
    """Header row and one example row, UTF-8 with a byte-order mark."""
    return spreadsheet.template_csv(IMPORT_COLUMNS)


def template_xlsx() -> bytes:
    """The template workbook: the data sheet (header, example row, lists for the coded columns, the reference and
    NIB as text), a guide to every column in Indonesian and English, and the code lists."""
    from django.utils import translation

    from jalin.companies.exporter import taxonomy_codes

    lists = {
        "volume_unit": VolumeUnit.values,
        "visibility": Visibility.values,
        "status": NeedStatus.values,
        "imported": ["ya", "tidak"],
        "hard_filter": ["ya", "tidak"],
    }
    choices = {name: (",".join(values), ",".join(values)) for name, values in lists.items()}
    wb = spreadsheet.template_workbook(
        "needs",
        IMPORT_COLUMNS,
        widths=WIDTHS,
        text_columns=("reference", "buyer_nib", "hs_code"),
        lists=choices,
        list_rows=5000,
    )
    with translation.override("en"):
        guide = [[column.name, column.help_id, str(column.help_en), column.example] for column in IMPORT_COLUMNS]
    guide.append([])
    guide += [
        [line]
        for line in (
            "Satu baris = satu kebutuhan. Referensi menentukan: referensi yang sudah ada diperbarui, sel kosong "
            "menambah kebutuhan baru. Sel kosong tidak menghapus data yang ada. Hapus baris contoh (baris 2) "
            "sebelum mengunggah.",
            "One row = one need. The reference decides: an existing reference is updated, an empty one adds a new "
            "need. An empty cell never erases stored data. Delete the example row (row 2) before uploading.",
        )
    ]
    head = ["Kolom / Column", "Keterangan (Bahasa Indonesia)", "Description (English)", "Contoh / Example"]
    spreadsheet.add_sheet(wb, "Petunjuk - Guide", head, guide, widths=(26, 60, 60, 28), wrap=True)
    codes = list(taxonomy_codes())
    codes += [[name, value, "", "", ""] for name, values in lists.items() for value in values]
    spreadsheet.add_sheet(wb, "Kode - Codes", spreadsheet.CODES_HEADER, codes, widths=(16, 20, 40, 40, 40))
    return spreadsheet.workbook_bytes(wb)
