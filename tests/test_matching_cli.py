"""``jalin match``: the ranked candidates of a need as a table (Indonesian or English) or JSON, and every
open need as JSON lines. The formats are documented in docs/matching-cli.md."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from jalin.companies import services
from jalin.sourcing.models import NeedStatus
from tests.test_matching_index import add_cert, fresh_index, make_buyer, make_company, make_need  # noqa: F401

PURBALINGGA = "33.03"


@pytest.fixture
def market(db):
    buyer = make_buyer()
    muffler = make_need(
        buyer,
        "Muffler assembly for 110cc scooter",
        description="60,000 pcs/year, delivery Cikarang",
        processes=["pipe-bending", "welding"],
        required=["iso-9001"],
        annual_volume=60_000,
        hard_filter=False,
    )
    make_need(buyer, "Coil spring for rear shock", processes=["spring-making"])
    make_need(buyer, "Draft need", status=NeedStatus.DRAFT)
    maker = make_company(
        "CV Knalpot Purbalingga Jaya",
        PURBALINGGA,
        products="Knalpot racing dan standar motor",
        processes=["pipe-bending", "welding"],
        monthly_capacity=1000,
    )
    add_cert(maker, "iso-9001")
    services.verify_company(maker, actor=None)
    make_company("CV Per Keong Klaten", "33.10", products="Per keong shockbreaker", processes=["spring-making"])
    make_company("PT Knalpot Tanpa Sertifikat", PURBALINGGA, products="Knalpot standar")
    return muffler, maker


def run(*args) -> str:
    out = io.StringIO()
    call_command("match", *args, stdout=out)
    return out.getvalue()


def test_table_in_indonesian(market):
    need, maker = market
    text = run(need.reference, "--top", "5")
    lines = text.splitlines()
    assert lines[0] == f"Kebutuhan {need.reference} · Muffler assembly for 110cc scooter"
    assert "Pembeli: PT Astra Honda Motor" in lines[1] and "kandidat teratas dari 4 perusahaan" in lines[1]
    header = next(line for line in lines if "Perusahaan" in line)
    for word in ("Skor", "NIB", "Teks", "Prses", "Sert", "Kap", "Jarak", "Kekurangan utama"):
        assert word in header
    first = lines[lines.index(header) + 1]
    assert first.lstrip().startswith("1 ") and "CV Knalpot Purbalingga Jaya" in first and maker.nib in first
    # The company without ISO 9001 stays (the need penalises instead of filtering), flagged and explained.
    flagged = next(line for line in lines if "PT Knalpot Tanpa Sertifikat" in line)
    assert "!" in flagged and "ISO 9001" in flagged
    assert "Kapasitas" in text or "kapasitas" in text  # the gap of the 1,000/month maker, in Indonesian
    assert lines[-1].startswith("Bagian skor 0–1")


def test_table_in_english(market):
    need, _maker = market
    text = run(need.reference.lower(), "--lang", "en")  # references are matched without case
    assert text.startswith(f"Need {need.reference}")
    assert "Company" in text and "Top gaps" in text and "Score parts 0–1" in text
    assert "capacity" in text.lower()


def test_json(market):
    need, maker = market
    document = json.loads(run(need.reference, "--json", "--top", "2"))
    assert document["need"] == {
        "id": need.pk,
        "reference": need.reference,
        "title": need.title,
        "buyer": "PT Astra Honda Motor",
    }
    assert document["top"] == 2 and document["companies_indexed"] == 4
    first = document["candidates"][0]
    assert set(first) == {"rank", "company_id", "nib", "name", "score", "parts", "reasons", "gaps", "hard_missing"}
    assert (first["rank"], first["company_id"], first["nib"]) == (1, maker.pk, maker.nib)
    assert set(first["parts"]) == {"text", "processes", "materials", "certifications", "capacity", "distance",
                                   "readiness"}  # fmt: skip
    assert all(set(m) == {"code", "id", "en"} for m in first["reasons"] + first["gaps"])
    assert len(document["candidates"]) == 2


def test_all_as_json_lines(market, capsys):
    _need, maker = market
    lines = run("--all", "--jsonl", "--top", "3").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["title"] for r in rows] == ["Muffler assembly for 110cc scooter", "Coil spring for rear shock"]
    assert set(rows[0]) == {"id", "reference", "title", "buyer", "candidates"}
    assert rows[0]["candidates"][0]["company_id"] == maker.pk and len(rows[0]["candidates"]) <= 3
    assert rows[1]["candidates"][0]["name"] == "CV Per Keong Klaten"
    assert "2 open needs ranked" in capsys.readouterr().err


def test_unknown_reference_and_bad_arguments(market):
    with pytest.raises(CommandError, match="Tidak ada kebutuhan dengan referensi 'NOPE-1'"):
        run("NOPE-1")
    with pytest.raises(CommandError, match="No need with reference 'NOPE-1'"):
        run("NOPE-1", "--lang", "en")
    need, _maker = market
    for args in ((), (need.reference, "--all"), (need.reference, "--jsonl"), ("--all", "--json")):
        with pytest.raises(CommandError):
            run(*args)
    with pytest.raises(CommandError, match="--top"):
        run(need.reference, "--top", "0")
