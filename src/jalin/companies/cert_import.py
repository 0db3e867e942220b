"""Import of certificates from CSV or XLSX: one row per certificate of a company already in the registry, with
its number, issuer and validity (the companies import names certification types and expiry dates only).

A row is matched to the company by NIB and to its certificate by type and number: it updates the company's
certificate of that type with the same number; without a number (or when the company's only certificate of
that type has none yet) it updates the company's one certificate of that type; otherwise it adds one. An
empty cell never erases a stored value. Evidence files are uploaded on the company's page.

Certificates number in the thousands, so every row goes through :func:`jalin.companies.services.save_child`
(the same checks, change log and re-derived company as the page) in its own savepoint. A dry run does the same
inside a transaction that is rolled back, so it finds every problem a commit would; with *all or nothing*
(the default) a single bad row means nothing is written. docs/import-format.md describes the format.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jalin.core import spreadsheet
from jalin.core.imports import (
    ImportFileError,
    ImportReport,
    Issue,
    apply_rows,
    clean_rows,
    header_columns,
    header_key,
    read_table,
    service_issues,
    text_cell,
)
from jalin.core.permissions import can, can_add

from . import services
from .columns import Column
from .import_cells import CompaniesByNib, TaxonomyIndex, clean_nib_cell, date_cell, issue, text_cleaner
from .models import Certification, CertificationType, Company

DATASET = "certifications"

COLUMNS: tuple[Column, ...] = (
    Column(
        "nib",
        _("NIB of a company already in the registry (13 digits)."),
        "NIB perusahaan yang sudah terdaftar (13 digit).",
        "9120001234567",
        ("nomor induk berusaha", "no nib", "nomor nib", "nib perusahaan"),
        required=True,
    ),
    Column(
        "certification",
        _("Certification type: code, name or synonym (iso-9001, ISO 9001, IATF 16949, SNI, SMK3)."),
        "Jenis sertifikasi: kode, nama atau sinonim (iso-9001, ISO 9001, IATF 16949, SNI, SMK3).",
        "iso-9001",
        ("sertifikasi", "sertifikat", "jenis sertifikat", "jenis sertifikasi", "standar", "certificate"),
        required=True,
    ),
    Column(
        "number",
        _("Certificate number. With it, a row updates the certificate with that number or adds a new one."),
        "Nomor sertifikat. Dengan nomor, baris memperbarui sertifikat bernomor sama atau menambah yang baru.",
        "QMS/2025/0815",
        ("nomor sertifikat", "no sertifikat", "nomor sertifikasi", "certificate number", "cert no"),
    ),
    Column(
        "issuer",
        _("The certification body that issued it."),
        "Lembaga sertifikasi yang menerbitkan.",
        "PT Sucofindo",
        ("penerbit", "lembaga sertifikasi", "lembaga penerbit", "lspro", "badan sertifikasi", "certification body"),
    ),
    Column(
        "valid_from",
        _("First day of validity: YYYY-MM-DD or DD/MM/YYYY."),
        "Tanggal mulai berlaku: YYYY-MM-DD atau DD/MM/YYYY.",
        "2025-01-15",
        ("berlaku dari", "berlaku sejak", "mulai berlaku", "tanggal terbit", "tanggal berlaku", "issue date"),
    ),
    Column(
        "valid_until",
        _("Last day of validity: YYYY-MM-DD or DD/MM/YYYY. Empty for a new certificate: it does not expire."),
        "Tanggal akhir berlaku: YYYY-MM-DD atau DD/MM/YYYY. Kosong untuk sertifikat baru: tidak kedaluwarsa.",
        "2028-01-14",
        ("berlaku sampai", "berlaku hingga", "masa berlaku", "kedaluwarsa", "kadaluarsa", "expiry date", "expiry"),
    ),
)
BY_NAME = {c.name: c for c in COLUMNS}
HEADERS = {header_key(h): c.name for c in COLUMNS for h in (c.name, *c.aliases)}

NO_HEADER = _("No header row found: the first row must name the columns, as in the template (nib, certification, …).")
FIELDS = ("number", "issuer", "valid_from", "valid_until")


def match_header(text) -> str | None:
    key = header_key(text)
    return HEADERS.get(key) or HEADERS.get(key.replace(" ", ""))


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)  # "nib", "certification_type" (an id) and FIELDS (non-empty cells)
    code: str = ""  # the certification type's code
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def certificate(self) -> str:
        """The company and the type: rows that share it are about the same certificate unless their numbers
        differ."""
        nib = self.values.get("nib")
        return f"{nib} {self.code}" if nib and self.code else ""


def same_number(a: str, b: str) -> bool:
    """Certificate numbers compare without case and with runs of spaces as one (``QMS-1`` = ``qms-1``)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def check_repeats(rows: list[Row], column: str) -> None:
    """Rows of one company and type are the same certificate when their numbers match, or when one of them has
    no number (it would update whichever the other wrote): all of them are flagged."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.certificate:
            groups.setdefault(row.certificate, []).append(row)
    message = _("This certificate appears more than once in this file (rows %(rows)s).")
    for same in groups.values():
        for row in same:
            number = row.values.get("number", "")
            repeats = [
                r for r in same if not number or not r.values.get("number") or same_number(r.values["number"], number)
            ]
            if len(repeats) > 1:
                numbers = ", ".join(str(r.number) for r in repeats)
                row.errors.append(issue(row.number, column, number or row.code, message, rows=numbers))


def clean_number(row: Row, raw, column: str) -> None:
    _number_text(row, raw, column)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        row.warnings.append(
            issue(
                row.number,
                column,
                raw,
                _("The spreadsheet stored the certificate number as a number: check that no leading zero was lost."),
            )
        )


def _date(name: str):
    def clean(row: Row, raw, column: str) -> None:
        row.values[name] = date_cell(raw)

    return clean


_number_text = text_cleaner("number", Certification)


def cleaners(types: TaxonomyIndex) -> dict:
    def certification(row: Row, raw, column: str) -> None:
        kind = types.find(text_cell(raw))
        row.values["certification_type"], row.code = kind, types.by_id[kind].code

    return {
        "nib": clean_nib_cell,
        "certification": certification,
        "number": clean_number,
        "issuer": text_cleaner("issuer", Certification),
        "valid_from": _date("valid_from"),
        "valid_until": _date("valid_until"),
    }


# ---------------------------------------------------------------------------------------------------------
# The import


def run_import(
    source, *, filename: str, actor, dry_run: bool = True, all_or_nothing: bool = True, progress=None
) -> ImportReport:
    """Check (``dry_run``) or import ``source`` (a path, bytes or binary file) as ``actor`` (``None``: the
    system, which may do everything). Problems in the file never raise: the report lists them."""
    started = time.monotonic()
    report = ImportReport(dataset=DATASET, filename=filename, dry_run=dry_run, all_or_nothing=all_or_nothing)
    if actor is not None and not can_add(actor, Company):
        report.error(None, "", "", _("You do not have permission to import certificates."))
        return report
    try:
        table = read_table(source, filename)
    except ImportFileError as exc:
        report.error(None, "", "", exc.message, **exc.params)
        return report
    rows, columns = _parse(table, report)
    if report.file_errors:
        return report
    report.rows_read = len(rows)
    check_repeats(rows, columns.get("number") or columns["certification"])
    writer = Writer(actor, columns)
    apply_rows(rows, report, writer, progress=progress)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _parse(table, report: ImportReport) -> tuple[list[Row], dict[str, str]]:
    header_at, columns, found = header_columns(table, report, match_header, BY_NAME, NO_HEADER)
    if header_at is None:
        return [], {}
    for column in COLUMNS:
        if column.required and column.name not in columns:
            report.error(None, column.name, "", _("The required column %(column)s is missing."), column=column.name)
    if report.file_errors:
        return [], columns
    types = TaxonomyIndex(CertificationType, _("Unknown certification %(value)s: use a code or name from the list."))
    clean = cleaners(types)
    plan = [(index, title, clean[name], BY_NAME[name].required) for index, title, name in found]
    rows = clean_rows(table, header_at, plan, Row, issue)
    return rows, columns


class Writer:
    """Applies rows through :func:`services.save_child`, each in a savepoint; records what each row did."""

    def __init__(self, actor, columns: dict[str, str]):
        self.actor, self.columns = actor, columns
        self.companies = CompaniesByNib(actor)
        self.outcomes: dict[str, list[int]] = {"created": [], "updated": [], "unchanged": []}

    def error(self, row: Row, name: str, value, message, /, **params) -> None:
        row.errors.append(issue(row.number, self.columns.get(name, ""), value, message, **params))

    def apply(self, row: Row) -> None:
        try:
            with transaction.atomic():
                outcome = self._apply(row)
        except ValidationError as exc:
            row.errors += service_issues(row.number, exc, lambda name: self.columns.get(name, ""), row.values)
        except PermissionDenied as exc:
            self.error(row, "nib", row.values["nib"], str(exc))
        except _RowError:
            pass
        else:
            self.outcomes[outcome].append(row.number)

    def _apply(self, row: Row) -> str:
        nib = row.values["nib"]
        company = self.companies.get(nib)
        if company is None:
            self.error(row, "nib", nib, _("No company with NIB %(nib)s in the registry."), nib=nib)
            raise _RowError
        if self.actor is not None and not can(self.actor, "change", company):
            self.error(row, "nib", nib, _("You may not change %(name)s."), name=company.legal_name)
            raise _RowError
        kind = row.values["certification_type"]
        same_type = list(Certification.objects.filter(company=company, certification_type_id=kind).order_by("pk"))
        cert = self._match(row, same_type)
        fields = {name: row.values[name] for name in FIELDS if name in row.values}
        start = fields.get("valid_from", cert.valid_from if cert else None)
        end = fields.get("valid_until", cert.valid_until if cert else None)
        if start and end and end < start:
            name = "valid_until" if "valid_until" in fields else "valid_from"
            self.error(row, name, fields[name], _("The end of validity comes before its start."))
            raise _RowError
        if cert is None:
            if same_type:  # most often a renewal; perhaps a mistyped number
                numbers = ", ".join(c.number or "—" for c in same_type)
                row.warnings.append(
                    issue(
                        row.number,
                        self.columns.get("number", ""),
                        fields.get("number", ""),
                        _("The company already has a certificate of this type (%(numbers)s): this row adds another."),
                        numbers=numbers,
                    )
                )
            services.save_child(Certification, actor=self.actor, company=company, certification_type_id=kind, **fields)
            return "created"
        if same_number(cert.number, fields.get("number", cert.number)):
            fields.pop("number", None)  # the same number written another way: the stored one stays
        changed = {name: value for name, value in fields.items() if getattr(cert, name) != value}
        if not changed:
            return "unchanged"
        services.save_child(Certification, actor=self.actor, company=company, instance=cert, **changed)
        return "updated"

    def _match(self, row: Row, same_type: list[Certification]) -> Certification | None:
        """The stored certificate the row is about, or ``None`` to add one (see the module's docstring)."""
        number = row.values.get("number", "")
        if number:
            for cert in same_type:
                if same_number(cert.number, number):
                    return cert
            return same_type[0] if len(same_type) == 1 and not same_type[0].number else None
        if len(same_type) > 1:
            self.error(
                row,
                "certification",
                row.code,
                _("The company has %(n)s certificates of this type: give the certificate number to say which one."),
                n=len(same_type),
            )
            raise _RowError
        return same_type[0] if same_type else None


class _RowError(Exception):
    """The row's problem is already recorded; roll back its savepoint."""


# ---------------------------------------------------------------------------------------------------------
# The templates (the import/export pages' ``exporter`` for this dataset)

WIDTHS = {"nib": 16, "certification": 18, "number": 22, "issuer": 30, "valid_from": 13, "valid_until": 13}


def template_csv() -> bytes:
    """Header row and one example row, UTF-8 with a byte-order mark."""
    return spreadsheet.template_csv(COLUMNS)


def template_xlsx() -> bytes:
    """The template workbook: the data sheet (NIB and number as text), a guide to every column in Indonesian and
    English, and the certification types."""
    from django.utils import translation

    wb = spreadsheet.template_workbook(
        DATASET, COLUMNS, widths=WIDTHS, text_columns=("nib", "number"), lists={}, list_rows=5000
    )
    with translation.override("en"):
        guide = [[column.name, column.help_id, str(column.help_en), column.example] for column in COLUMNS]
    guide.append([])
    guide += [
        [line]
        for line in (
            "Satu baris = satu sertifikat milik perusahaan yang sudah terdaftar (NIB). Baris memperbarui sertifikat "
            "perusahaan dengan jenis dan nomor yang sama, atau menambah sertifikat baru. Sel kosong tidak menghapus "
            "data yang ada. Berkas bukti diunggah di halaman perusahaan. Hapus baris contoh (baris 2) sebelum "
            "mengunggah.",
            "One row = one certificate of a company already in the registry (NIB). A row updates the company's "
            "certificate of the same type and number, or adds a new one. An empty cell never erases stored data. "
            "Evidence files are uploaded on the company's page. Delete the example row (row 2) before uploading.",
        )
    ]
    head = ["Kolom / Column", "Keterangan (Bahasa Indonesia)", "Description (English)", "Contoh / Example"]
    spreadsheet.add_sheet(wb, "Petunjuk - Guide", head, guide, widths=(26, 60, 60, 28), wrap=True)
    codes = [
        ["certifications", t.code, t.name_id, t.name_en, t.synonyms]
        for t in CertificationType.objects.filter(is_active=True).order_by("code")
    ]
    spreadsheet.add_sheet(wb, "Kode - Codes", spreadsheet.CODES_HEADER, codes, widths=(16, 20, 40, 40, 40))
    return spreadsheet.workbook_bytes(wb)
