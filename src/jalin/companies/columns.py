"""The columns of the registry's spreadsheet format, shared by the import, the export, the templates and the
format page. docs/import-format.md describes the same list for people.

Headers match case- and space-insensitively, words in parentheses ignored, so ``Jumlah Tenaga Kerja
(orang)`` finds ``workforce``. The export writes the canonical names, so an export imports again unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jalin.core.imports import header_key


@dataclass(frozen=True)
class Column:
    name: str  # canonical header, also the Company field for plain fields
    help_en: object  # translatable English description (the page shows it in the reader's language)
    help_id: str  # Indonesian description for the bilingual template sheet
    example: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    private: bool = False  # exported only to those who may see the company's private fields
    export_only: bool = False  # written by the export for reading; ignored by the import


COLUMNS: tuple[Column, ...] = (
    Column(
        "nib",
        _("NIB (Nomor Induk Berusaha), 13 digits. Identifies the company: an existing NIB is updated."),
        "NIB (Nomor Induk Berusaha), 13 digit. Kunci data: NIB yang sudah ada akan diperbarui.",
        "9120001234567",
        ("nomor induk berusaha", "no nib", "nomor nib"),
        required=True,
    ),
    Column(
        "npwp",
        _("NPWP, 15 or 16 digits, dots and dashes allowed."),
        "NPWP, 15 atau 16 digit, boleh dengan titik dan strip.",
        "01.234.567.4-901.000",
        ("no npwp", "nomor npwp"),
        private=True,
    ),
    Column(
        "legal_name",
        _("Legal name of the company."),
        "Nama badan usaha sesuai akta.",
        "PT Contoh Logam Tegal",
        ("nama perusahaan", "nama badan usaha", "nama usaha", "nama legal", "company name", "company", "nama"),
        required=True,
    ),
    Column(
        "brand_name",
        _("Brand or trading name."),
        "Nama merek atau nama dagang.",
        "Conlog",
        ("nama merek", "merek", "nama dagang", "brand"),
    ),
    Column(
        "kind",
        _("ikm (small or medium industry) or industry (large industry, buyer). Empty means ikm."),
        "ikm (industri kecil dan menengah) atau industry (industri besar/pembeli). Kosong berarti ikm.",
        "ikm",
        ("jenis", "jenis perusahaan", "jenis usaha", "kategori", "type"),
    ),
    Column(
        "buyer_type",
        _("For buyers: apm_4w, apm_2w, tier1, tier2, heavy, appliance or other."),
        "Untuk pembeli: apm_4w, apm_2w, tier1, tier2, heavy (alat berat), appliance atau other.",
        "",
        ("tipe pembeli", "jenis pembeli", "jenis industri"),
    ),
    Column(
        "region",
        _(
            "Regency or city: Kemendagri code (33.28) or name (Kabupaten Tegal, Kab. Tegal, or Tegal when "
            "only one region has that name)."
        ),
        "Kabupaten/kota: kode Kemendagri (33.28) atau nama (Kabupaten Tegal, Kab. Tegal, atau Tegal bila "
        "namanya hanya satu).",
        "33.28",
        (
            "kabupaten kota",
            "kab kota",
            "kabupaten",
            "kota",
            "kode wilayah",
            "wilayah",
            "kode kabupaten kota",
            "regency",
            "regency city",
            "lokasi",
        ),
        required=True,
    ),
    Column(
        "address",
        _("Factory address."),
        "Alamat pabrik.",
        "Jl. Raya Dampyak No. 12, Kramat",
        ("alamat", "alamat pabrik", "alamat usaha"),
    ),
    Column(
        "latitude",
        _("Latitude in decimal degrees (-6.89 or -6,89)."),
        "Lintang dalam derajat desimal (-6,89 atau -6.89).",
        "-6.8694",
        ("lintang", "lat"),
    ),
    Column(
        "longitude",
        _("Longitude in decimal degrees."),
        "Bujur dalam derajat desimal.",
        "109.1402",
        ("bujur", "lon", "lng", "long"),
    ),
    Column(
        "workforce",
        _("Number of workers."),
        "Jumlah tenaga kerja (orang).",
        "35",
        (
            "jumlah tenaga kerja",
            "tenaga kerja",
            "jumlah pekerja",
            "jumlah karyawan",
            "karyawan",
            "workers",
            "employees",
        ),
    ),
    Column(
        "investment",
        _("Investment value in rupiah, excluding land and buildings (1.500.000.000 or 1500000000 or 1,5 M)."),
        "Nilai investasi dalam rupiah, di luar tanah dan bangunan (1.500.000.000 atau 1500000000 atau 1,5 M).",
        "1.500.000.000",
        ("nilai investasi", "investasi"),
    ),
    Column(
        "business_capital",
        _("Business capital in rupiah, excluding land and buildings."),
        "Modal usaha dalam rupiah, di luar tanah dan bangunan.",
        "2.000.000.000",
        ("modal usaha", "modal"),
        private=True,
    ),
    Column(
        "turnover",
        _("Annual turnover in rupiah."),
        "Omzet per tahun dalam rupiah.",
        "4.800.000.000",
        ("omzet", "omset", "omzet per tahun", "omzet tahunan", "penjualan tahunan", "annual turnover"),
        private=True,
    ),
    Column(
        "products",
        _("What the company makes, in its own words."),
        "Produk yang dibuat, dengan kata-kata sendiri.",
        "Knalpot, bracket, komponen bubut",
        ("produk", "produk utama", "jenis produk"),
    ),
    Column(
        "hs_codes",
        _("HS codes, separated by , or ; (8708.92)."),
        "Kode HS, dipisah , atau ; (8708.92).",
        "8708.92; 7326.90",
        ("hs code", "kode hs", "hs", "pos tarif"),
    ),
    Column(
        "kbli",
        _("KBLI 2020 codes (five digits), separated by , or ;."),
        "Kode KBLI 2020 (lima digit), dipisah , atau ;.",
        "29300; 25920",
        ("kode kbli", "kbli codes"),
    ),
    Column(
        "processes",
        _("Processes: codes or names in Indonesian or English, or a known synonym, separated by ; or ,."),
        "Proses: kode atau nama (Indonesia/Inggris) atau sinonim yang dikenal, dipisah ; atau ,.",
        "turning; las; pipe-bending",
        ("proses", "proses produksi", "kemampuan proses", "process"),
    ),
    Column(
        "materials",
        _("Materials: codes or names, separated by ; or ,."),
        "Bahan: kode atau nama, dipisah ; atau ,.",
        "carbon-steel; stainless",
        ("bahan", "bahan baku", "material", "bahan utama"),
    ),
    Column(
        "monthly_capacity",
        _("Monthly capacity in pieces."),
        "Kapasitas per bulan (pcs).",
        "20.000",
        (
            "kapasitas per bulan",
            "kapasitas bulanan",
            "kapasitas produksi per bulan",
            "kapasitas produksi",
            "kapasitas",
        ),
    ),
    Column(
        "capacity_note",
        _("A note on the capacity."),
        "Catatan kapasitas.",
        "2 shift",
        ("catatan kapasitas",),
    ),
    Column(
        "contact_name",
        _("Contact person."),
        "Narahubung.",
        "Budi Santoso",
        ("narahubung", "nama kontak", "kontak", "contact person", "penanggung jawab", "cp"),
        private=True,
    ),
    Column(
        "phone",
        _("Phone number."),
        "Nomor telepon/HP.",
        "0283-351234",
        ("telepon", "telp", "no telp", "no telepon", "nomor telepon", "no hp", "hp", "whatsapp", "wa"),
        private=True,
    ),
    Column(
        "email",
        _("E-mail address."),
        "Alamat surel (e-mail).",
        "info@contohlogam.co.id",
        ("e mail", "surel", "alamat email", "alamat surel"),
        private=True,
    ),
    Column(
        "website",
        _("Website."),
        "Situs web.",
        "https://contohlogam.co.id",
        ("situs web", "situs", "web"),
    ),
    Column(
        "certifications",
        _(
            "Certifications separated by ;, each a code or name with an optional expiry date after a colon "
            "(iso-9001:2027-12-31; sni). Listed ones are added or updated, none are removed."
        ),
        "Sertifikasi dipisah ;, masing-masing kode atau nama dengan tanggal berlaku opsional setelah titik dua "
        "(iso-9001:2027-12-31; sni). Yang tercantum ditambah atau diperbarui, tidak ada yang dihapus.",
        "iso-9001:2027-12-31; sni",
        ("sertifikasi", "sertifikat", "certification"),
    ),
    # Written by the export so that a reader sees what the list shows; the import ignores them.
    Column(
        "region_name",
        _("Name of the region (export only)."),
        "Nama wilayah (hanya ekspor).",
        "",
        ("nama wilayah",),
        export_only=True,
    ),
    Column(
        "industry_class",
        _("Industry class, computed (export only)."),
        "Kelas industri, dihitung (hanya ekspor).",
        "",
        ("kelas industri",),
        export_only=True,
    ),
    Column(
        "enterprise_class",
        _("Enterprise class, computed (export only)."),
        "Kelas usaha, dihitung (hanya ekspor).",
        "",
        ("kelas usaha",),
        export_only=True,
    ),
    Column(
        "verification",
        _("Verification status (export only)."),
        "Status verifikasi (hanya ekspor).",
        "",
        ("verifikasi", "status verifikasi"),
        export_only=True,
    ),
    Column(
        "completeness",
        _("Profile completeness in percent (export only)."),
        "Kelengkapan profil dalam persen (hanya ekspor).",
        "",
        ("kelengkapan",),
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
REQUIRED = tuple(c.name for c in COLUMNS if c.required)

#: Normalised header → column name, over canonical names, their spaced form and every alias.
HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    for _header in (_column.name, *_column.aliases):
        HEADERS.setdefault(header_key(_header), _column.name)
HEADERS.update({"email": "email", "e mail": "email"})


def match_header(text) -> str | None:
    """The column a header names, or ``None``. A trailing unit word (``Rp``, ``pcs``, ``orang``) is ignored."""
    key = header_key(text)
    if key in HEADERS:
        return HEADERS[key]
    trimmed = " ".join(w for w in key.split() if w not in {"rp", "pcs", "orang", "unit", "idr", "per", "bulan"})
    for candidate in (trimmed, key.replace(" ", "")):
        if candidate in HEADERS:
            return HEADERS[candidate]
    return None
