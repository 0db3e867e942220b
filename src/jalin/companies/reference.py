"""The starting taxonomies (officers extend them in the UI) and the KBLI 2020 codes the programme uses.

Synonyms carry the trade words IKM write (see shared DOMAIN.md, "Language").
"""

PROCESSES = [
    # code, Indonesian, English, synonyms
    ("turning", "Bubut", "Turning", "lathe, bubut cnc"),
    ("milling", "Frais", "Milling", "frais cnc, machining center"),
    ("cnc-machining", "Permesinan CNC", "CNC machining", "cnc, machining, permesinan"),
    ("grinding", "Gerinda", "Grinding", "gerinda, surface grinding"),
    ("drilling", "Bor", "Drilling", "pengeboran, drill"),
    ("casting", "Pengecoran", "Casting", "cor, coran, foundry"),
    ("die-casting", "Die casting", "Die casting", "cor tekan, hpdc"),
    ("forging", "Tempa", "Forging", "penempaan, forge"),
    ("stamping", "Pres / stamping", "Pressing / stamping", "pres, press, stamping, metal forming"),
    ("sheet-metal", "Fabrikasi pelat", "Sheet-metal fabrication", "plat, pelat, tekuk, bending"),
    ("pipe-bending", "Tekuk pipa", "Pipe bending", "bending pipa, knalpot"),
    ("welding", "Pengelasan", "Welding", "las, las mig, las tig, spot welding"),
    ("heat-treatment", "Perlakuan panas", "Heat treatment", "hardening, pengerasan, quenching, tempering"),
    ("plating", "Pelapisan logam", "Plating", "pelapisan, krom, chrome, galvanis, zinc plating"),
    ("painting", "Pengecatan", "Painting", "cat, powder coating, ed coating"),
    ("injection-moulding", "Injeksi plastik", "Injection moulding", "injection molding, cetak plastik"),
    ("rubber-moulding", "Cetak karet", "Rubber moulding", "karet, compression moulding"),
    ("die-making", "Pembuatan cetakan", "Die and mould making", "cetakan, dies, mould, mold, jig"),
    ("assembly", "Perakitan", "Assembly", "rakit, sub-assembly"),
    ("spring-making", "Pembuatan pegas", "Spring making", "per, pegas, coil spring, leaf spring"),
]

MATERIALS = [
    ("carbon-steel", "Baja karbon", "Carbon steel", "besi, baja, ss400, s45c, spcc"),
    ("stainless-steel", "Baja tahan karat", "Stainless steel", "stainless, sus304, sus201"),
    ("alloy-steel", "Baja paduan", "Alloy steel", "scm, scr, baja per, spring steel"),
    ("cast-iron", "Besi cor", "Cast iron", "fc, fcd, besi tuang, ductile iron"),
    ("aluminium", "Aluminium", "Aluminium", "alumunium, aluminum, adc12"),
    ("copper-brass", "Tembaga dan kuningan", "Copper and brass", "tembaga, kuningan, brass, bronze"),
    ("rubber", "Karet", "Rubber", "nbr, epdm, karet alam"),
    ("plastic", "Plastik", "Plastic", "pp, abs, nylon, pa, pe"),
    ("sheet-steel", "Pelat baja", "Steel sheet", "plat, pelat, spcc, sphc"),
    ("steel-pipe", "Pipa baja", "Steel pipe", "pipa, tube"),
]

CERTIFICATION_TYPES = [
    ("iso-9001", "ISO 9001", "ISO 9001", "sistem manajemen mutu, quality management"),
    ("iso-14001", "ISO 14001", "ISO 14001", "sistem manajemen lingkungan, environment"),
    ("iatf-16949", "IATF 16949", "IATF 16949", "ts 16949, otomotif"),
    ("iso-45001", "ISO 45001", "ISO 45001", "k3, occupational safety"),
    ("smk3", "SMK3", "SMK3 (occupational safety system)", "k3l, keselamatan kerja"),
    ("sni", "SNI", "SNI (Indonesian National Standard)", "sni, standar nasional"),
    ("tkdn", "Sertifikat TKDN", "TKDN certificate", "tingkat komponen dalam negeri"),
    ("halal", "Sertifikat halal", "Halal certificate", ""),
]

KBLI = [
    (
        "29300",
        "Industri suku cadang dan aksesori kendaraan bermotor roda empat atau lebih",
        "Parts and accessories for motor vehicles (four or more wheels)",
    ),
    ("30911", "Industri sepeda motor roda dua dan tiga", "Motorcycles"),
    ("30912", "Industri komponen dan perlengkapan sepeda motor roda dua dan tiga", "Motorcycle components"),
    ("24310", "Industri pengecoran besi dan baja", "Casting of iron and steel"),
    ("24320", "Industri pengecoran logam bukan besi dan baja", "Casting of non-ferrous metals"),
    (
        "25910",
        "Industri penempaan, pengepresan, pencetakan dan pembentukan logam",
        "Forging, pressing, stamping and roll-forming of metal",
    ),
    ("25920", "Jasa industri untuk berbagai pengerjaan khusus logam", "Treatment and coating of metals; machining"),
    ("25952", "Industri paku, mur dan baut", "Nails, nuts and bolts"),
    ("25999", "Industri barang logam lainnya ytdl", "Other fabricated metal products n.e.c."),
    ("22192", "Industri barang dari karet untuk keperluan industri", "Industrial rubber goods"),
    ("22199", "Industri barang dari karet lainnya ytdl", "Other rubber products n.e.c."),
    ("22299", "Industri barang plastik lainnya ytdl", "Other plastic products n.e.c."),
]


def load_reference(apps=None) -> None:
    """Insert the reference rows that are missing (used by the data migration and by tests)."""
    get = apps.get_model if apps else _live_model
    for model_name, rows in (
        ("Process", PROCESSES),
        ("Material", MATERIALS),
        ("CertificationType", CERTIFICATION_TYPES),
    ):
        model = get("companies", model_name)
        for code, name_id, name_en, synonyms in rows:
            model.objects.get_or_create(
                code=code, defaults={"name_id": name_id, "name_en": name_en, "synonyms": synonyms}
            )
    kbli = get("companies", "Kbli")
    for code, title_id, title_en in KBLI:
        kbli.objects.get_or_create(code=code, defaults={"title_id": title_id, "title_en": title_en})


def _live_model(app_label: str, model_name: str):
    from django.apps import apps

    return apps.get_model(app_label, model_name)
