"""The columns of the needs spreadsheet format, shared by the import, the export, the templates and the import
page. docs/needs.md describes the same list for people.

Headers match case- and space-insensitively, words in parentheses ignored, so ``Harga target (Rp)`` finds
``target_price``. The export writes the canonical names, so an export imports again unchanged.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jalin.companies.columns import Column
from jalin.core.imports import header_key

COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        _("Reference of the need. An existing reference is updated; an empty cell adds a new need with a made one."),
        "Referensi kebutuhan. Referensi yang sudah ada diperbarui; sel kosong menambah kebutuhan baru dengan "
        "referensi otomatis.",
        "DPM-2026-001",
        ("referensi", "no referensi", "nomor referensi", "kode kebutuhan", "ref", "rfq", "no rfq", "nomor rfq"),
    ),
    Column(
        "buyer_nib",
        _("NIB of the buyer company (13 digits). Buyers may leave it empty: the need is their own company's."),
        "NIB perusahaan pembeli (13 digit). Pembeli boleh mengosongkan: kebutuhan milik perusahaannya sendiri.",
        "8120001180014",
        ("nib pembeli", "nib buyer", "buyer", "nib perusahaan pembeli"),
    ),
    Column(
        "title",
        _("What the part is. Required for a new need."),
        "Nama part/komponen. Wajib untuk kebutuhan baru.",
        "Muffler assembly 110cc scooter",
        ("judul", "nama part", "nama komponen", "komponen", "part name", "part", "nama barang", "kebutuhan"),
        required=True,
    ),
    Column(
        "description",
        _("Dimensions, tolerances, surface treatment, packaging; Indonesian or English."),
        "Dimensi, toleransi, perlakuan permukaan, kemasan; bahasa Indonesia atau Inggris.",
        "Knalpot lengkap dengan heat shield, pipa SPCC 1,2 mm",
        ("deskripsi", "keterangan", "spesifikasi", "uraian", "spec", "specification"),
    ),
    Column(
        "hs_code",
        _("HS code of the part (8708.92)."),
        "Kode HS part (8708.92).",
        "8714.10",
        ("kode hs", "hs", "pos tarif", "nomor hs"),
    ),
    Column(
        "part_category",
        _("A short family name: exhaust, stamping part, bushing, casting."),
        "Kelompok part: knalpot, part stamping, bushing, coran.",
        "exhaust",
        ("kategori", "kategori part", "jenis part", "category", "kelompok part"),
    ),
    Column(
        "processes",
        _("Processes: codes or names in Indonesian or English, or a known synonym, separated by ; or ,."),
        "Proses: kode atau nama (Indonesia/Inggris) atau sinonim yang dikenal, dipisah ; atau ,.",
        "pipe-bending; las; painting",
        ("proses", "proses produksi", "process"),
    ),
    Column(
        "materials",
        _("Materials: codes or names, separated by ; or ,."),
        "Bahan: kode atau nama, dipisah ; atau ,.",
        "steel-pipe; sheet-steel",
        ("bahan", "bahan baku", "material", "bahan utama"),
    ),
    Column(
        "annual_volume",
        _("Quantity per year (60.000 or 60000)."),
        "Jumlah per tahun (60.000 atau 60000).",
        "60.000",
        ("volume", "volume per tahun", "volume tahunan", "kebutuhan per tahun", "jumlah per tahun", "annual qty"),
    ),
    Column(
        "volume_unit",
        _("Unit of the volume: pcs, sets, kg or m. Empty means pcs."),
        "Satuan volume: pcs, sets, kg atau m. Kosong berarti pcs.",
        "pcs",
        ("satuan", "unit", "satuan volume"),
    ),
    Column(
        "target_price",
        _("Target unit price in rupiah. Private: only the buyer and officers see it."),
        "Harga target per unit dalam rupiah. Rahasia: hanya pembeli dan petugas yang melihat.",
        "185.000",
        ("harga target", "target harga", "harga satuan", "harga target per unit"),
        private=True,
    ),
    Column(
        "required_certifications",
        _("Certifications a supplier must hold (codes or names, separated by ;)."),
        "Sertifikasi wajib pemasok (kode atau nama, dipisah ;).",
        "iso-9001",
        ("sertifikasi wajib", "sertifikat wajib", "required certification", "sertifikasi"),
    ),
    Column(
        "preferred_certifications",
        _("Certifications that count in a supplier's favour. None may also be required."),
        "Sertifikasi yang diutamakan. Tidak boleh sama dengan yang wajib.",
        "iatf-16949; iso-14001",
        ("sertifikasi diutamakan", "sertifikat tambahan", "sertifikasi tambahan", "preferred certification"),
    ),
    Column(
        "max_defect_ppm",
        _("Maximum defective parts per million."),
        "Batas cacat dalam ppm (part per juta).",
        "500",
        ("ppm", "maks ppm", "maks cacat", "batas cacat", "defect ppm", "maximum defect"),
    ),
    Column(
        "delivery_plant",
        _("Name of one of the buyer's plants, as in the registry (Plant Cikarang)."),
        "Nama pabrik pembeli seperti di registri (Plant Cikarang).",
        "Plant Cikarang",
        ("plant", "pabrik tujuan", "lokasi pengiriman", "plant pengiriman", "tujuan pengiriman", "delivery"),
    ),
    Column(
        "start_date",
        _("When supply starts: YYYY-MM-DD or DD/MM/YYYY."),
        "Mulai pasok: YYYY-MM-DD atau DD/MM/YYYY.",
        "2026-07-01",
        ("tanggal mulai", "mulai pasok", "tanggal mulai pasok", "start", "start date", "mulai"),
    ),
    Column(
        "imported",
        _("Imported today: ya/tidak, yes/no or 1/0."),
        "Masih impor: ya/tidak, yes/no atau 1/0.",
        "ya",
        ("impor", "diimpor", "masih impor", "imported today", "import"),
    ),
    Column(
        "annual_import_value",
        _("Value of the part's imports per year in rupiah; required when imported."),
        "Nilai impor part per tahun dalam rupiah; wajib bila masih impor.",
        "7.500.000.000",
        ("nilai impor", "nilai impor per tahun", "import value", "nilai impor tahunan"),
    ),
    Column(
        "visibility",
        _("open (every verified IKM), invitation (only invited IKM) or draft. Empty means open."),
        "open (semua IKM terverifikasi), invitation (hanya IKM yang diundang) atau draft. Kosong berarti open.",
        "open",
        ("visibilitas", "akses", "tampil untuk"),
    ),
    Column(
        "status",
        _("draft, open, closed or awarded; a change follows the workflow (awarded is final). Empty means draft."),
        "draft, open, closed atau awarded; perubahan mengikuti alur (awarded final). Kosong berarti draft.",
        "open",
        ("status kebutuhan",),
    ),
    Column(
        "hard_filter",
        _("ya: candidates missing a required certification are left out; tidak: they are penalised."),
        "ya: kandidat tanpa sertifikasi wajib dikeluarkan; tidak: diberi penalti.",
        "ya",
        ("filter wajib", "hard filter"),
    ),
    # Written by the export so that a reader sees what the list shows; the import ignores them.
    Column(
        "buyer_name",
        _("Name of the buyer (export only)."),
        "Nama pembeli (hanya ekspor).",
        "",
        ("nama pembeli",),
        export_only=True,
    ),
    Column(
        "updated",
        _("Last change (export only)."),
        "Perubahan terakhir (hanya ekspor).",
        "",
        ("diperbarui",),
        export_only=True,
    ),
)

BY_NAME = {c.name: c for c in COLUMNS}
IMPORT_COLUMNS = tuple(c for c in COLUMNS if not c.export_only)

#: Normalised header → column name, over canonical names, their spaced form and every alias.
HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _header in (_column.name, *_column.aliases):
        HEADERS.setdefault(header_key(_header), _column.name)

_UNIT_WORDS = frozenset({"rp", "idr", "pcs", "per", "tahun", "unit", "ppm"})


def match_header(text) -> str | None:
    """The column a header names, or ``None``. A trailing unit word (``Rp``, ``pcs``, ``per tahun``) is ignored."""
    key = header_key(text)
    if key in HEADERS:
        return HEADERS[key]
    trimmed = " ".join(w for w in key.split() if w not in _UNIT_WORDS)
    for candidate in (trimmed, key.replace(" ", "")):
        if candidate in HEADERS:
            return HEADERS[candidate]
    return None
