"""The pure matching engine (``jalin.matching.engine``): text analysis, every score part, reasons and gaps in
both languages, hard filter and penalty, updates without a rebuild. Plain rows, no database."""

import math
import os
import subprocess
import sys
from datetime import date

import pytest

from jalin.matching.engine import explain as ex
from jalin.matching.engine.index import MatchIndex
from jalin.matching.engine.lexicon import CERTIFICATION_NAMES, MATERIAL_NAMES, PROCESS_NAMES, STOPWORDS
from jalin.matching.engine.text import Analyzer
from jalin.matching.engine.types import WEIGHTS, CompanyRow, NeedQuery

TODAY = date(2025, 6, 1).toordinal()
CIKARANG = (-6.30, 107.15)
PURBALINGGA = (-7.39, 109.36)
ONLY = dict.fromkeys(WEIGHTS, 0.0)  # a weights dict to pick one part


def only(part: str) -> dict[str, float]:
    return {**ONLY, part: 1.0}


def row(cid, text="", **fields) -> CompanyRow:
    return CompanyRow(id=cid, name=f"Company {cid}", text=text, **fields)


def need(text="", **fields) -> NeedQuery:
    fields.setdefault("as_of", TODAY)
    return NeedQuery(id=fields.pop("id", 1), text=text, **fields)


def codes(messages) -> list[str]:
    return [m.code for m in messages]


def gap(match, code):
    return next(m for m in match.gaps if m.code == code)


# --- text ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer()


def concepts(analyzer, text):
    return set(analyzer.analyse(text).tokens)


@pytest.mark.parametrize(
    ("english", "indonesian", "concept"),
    [
        ("muffler", "knalpot", "exhaust"),
        ("silencer", "knalpot racing", "exhaust"),
        ("exhaust pipe", "knalpod", "exhaust"),
        ("brake pad", "kampas rem", "brake-lining"),
        ("leaf spring", "per daun", "leaf-spring"),
        ("spring", "per", "spring"),
        ("coil spring", "pegas ulir", "coil-spring"),
        ("casting", "cor", "casting"),
        ("castings", "coran", "casting"),
        ("foundry", "pengecoran", "casting"),
        ("turning", "bubut", "turning"),
        ("welding", "las", "welding"),
        ("welding", "pengelasan", "welding"),
        ("crankshaft", "kruk as", "crankshaft"),
        ("camshaft", "noken as", "camshaft"),
        ("engine mount", "dudukan mesin", "engine-mount"),
        ("heat treatment", "perlakuan panas", "heat-treatment"),
        ("spokes", "jari-jari", "spoke"),
        ("bolts", "baut2", "bolt"),
    ],
)
def test_english_and_indonesian_terms_meet_in_one_concept(analyzer, english, indonesian, concept):
    assert concept in concepts(analyzer, english)
    assert concept in concepts(analyzer, indonesian)


def test_pengelasan_never_becomes_kelas():
    for affixes in (False, True):
        a = Analyzer(affixes=affixes)
        assert a.analyse("jasa pengelasan").tokens == ("welding",)
        assert "welding" not in a.analyse("baut kelas 8.8").tokens
        assert "kelas" in a.analyse("baut kelas 8.8").tokens


def test_the_affix_fallback_only_lands_on_lexicon_words():
    a = Analyzer(affixes=True)
    assert a.analyse("dicor").tokens == ("casting",)
    assert a.analyse("pemotongan").tokens == ("pemotongan",)  # potong is no lexicon word: left alone
    assert Analyzer(affixes=False).analyse("dicor").tokens == ("dicor",)


def test_per_is_a_spring_but_per_bulan_is_a_rate(analyzer):
    assert "per" not in STOPWORDS
    assert analyzer.analyse("per").tokens == ("spring",)
    assert analyzer.analyse("per daun & per keong").tokens == ("leaf-spring", "spring", "coil-spring", "spring")
    assert analyzer.analyse("5.000 pcs per bulan").tokens == ()
    assert analyzer.analyse("5,000 pcs per month").tokens == ()


def test_normalising_keeps_model_numbers_and_drops_places_and_quantities(analyzer):
    result = analyzer.analyse(
        "Muffler assembly for 110cc scooter, 60,000 pcs/year, ISO 9001 required, delivery Cikarang"
    )
    assert result.tokens == ("exhaust", "assy", "110cc", "motorcycle")
    assert "8714.10" not in analyzer.analyse("HS 8714.10").tokens
    assert analyzer.analyse("HS 8714.10").tokens == ("motorcycle",)  # hs871410 is a motorcycle part
    assert analyzer.analyse("KNALPOT — TÜV").tokens == ("exhaust", "tuv")


def test_products_imply_their_processes(analyzer):
    assert analyzer.analyse("muffler").processes == {"pipe-bending", "welding"}
    assert analyzer.analyse("per daun").processes >= {"spring-making", "heat-treatment"}
    assert analyzer.analyse("stainless, las TIG").materials == {"stainless-steel"}


def test_officers_extend_the_lexicon():
    a = Analyzer(extra=[("sepatu rem", "brake-shoe"), ("knalpot", "muffler-extra")])
    assert a.analyse("sepatu rem").tokens == ("brake-shoe",)
    assert set(a.analyse("knalpot").tokens) == {"exhaust", "muffler-extra"}


def test_the_lexicon_names_every_reference_code():
    from jalin.companies.reference import CERTIFICATION_TYPES, MATERIALS, PROCESSES

    assert {c[0] for c in PROCESSES} <= set(PROCESS_NAMES)
    assert {c[0] for c in MATERIALS} <= set(MATERIAL_NAMES)
    assert {c[0] for c in CERTIFICATION_TYPES} <= set(CERTIFICATION_NAMES)


# --- score parts ------------------------------------------------------------------------------------------


def test_process_coverage_is_the_share_of_the_needs_processes():
    index = MatchIndex.build(
        [
            row(1, processes=frozenset({"welding", "pipe-bending"})),
            row(2, processes=frozenset({"welding"})),
            row(3, processes=frozenset({"casting"})),
            row(4),  # says nothing
        ]
    )
    q = need("part", processes=frozenset({"welding", "pipe-bending"}))
    parts = {m.company_id: m.parts["processes"] for m in index.rank(q, only("processes"))}
    assert parts == {1: 1.0, 2: 0.5, 3: 0.0, 4: ex.UNKNOWN}
    m3 = next(m for m in index.rank(q, only("processes")) if m.company_id == 3)
    assert {g.en for g in m3.gaps} >= {"No welding", "No pipe bending"}
    assert {g.id for g in m3.gaps} >= {"Tidak ada pengelasan", "Tidak ada tekuk pipa"}


def test_a_needs_processes_are_inferred_from_its_text_when_it_lists_none():
    index = MatchIndex.build([row(1, "bengkel las & bending pipa"), row(2, "bubut cnc")])
    parts = {m.company_id: m.parts["processes"] for m in index.rank(need("muffler for scooter"), only("processes"))}
    assert parts == {1: 1.0, 2: 0.0}  # muffler → pipe bending + welding; the company's text says both
    assert index.prepare(need("muffler")).need.processes == ("pipe-bending", "welding")
    assert index.prepare(need("something else")).need.processes == ()
    neutral = index.rank(need("something else"), only("processes"))
    assert {m.parts["processes"] for m in neutral} == {ex.NEUTRAL}


def test_a_process_the_need_names_is_its_route_and_another_route_keeps_part_of_the_text():
    rows = [
        row(1, "precision machined flanges", processes=frozenset({"turning", "milling"})),  # flange, not forged
        row(2, "flange tempa, forging"),  # a forged flange
        row(3, "flange"),  # a flange implies turning (as in process coverage): another route too
    ]
    index = MatchIndex.build(rows)
    q = need("forged flange for LCGC car")
    prep = index.prepare(q)
    assert prep.need.route == ("forging",)
    assert prep.need.processes == ("forging", "turning")  # named + implied by the flange
    ranked = {m.company_id: m for m in index.rank(q, only("text"))}
    plain = {m.company_id: m for m in MatchIndex.build(rows, route_factor=1.0).rank(q, only("text"))}
    assert ranked[1].parts["text"] == pytest.approx(0.25 * plain[1].parts["text"], abs=1e-4)
    assert ranked[3].parts["text"] == pytest.approx(0.25 * plain[3].parts["text"], abs=1e-4)
    assert index.rank(q)[0].company_id == 2
    assert "No forging" in {g.en for g in ranked[1].gaps}
    assert "Tidak ada tempa" in {g.id for g in ranked[1].gaps}
    # a need with structured processes still reports the process its words name
    q2 = need("forged flange", processes=frozenset({"turning"}))
    m1 = next(m for m in index.rank(q2) if m.company_id == 1)
    assert "No forging" in {g.en for g in m1.gaps}
    # the vectorised ranking and the scalar path agree
    assert [(m.company_id, round(m.score, 6)) for m in index.rank(q, top_k=3)] == [
        (m.company_id, round(m.score, 6)) for m in index.rank(q, top_k=3, prune=False)
    ]
    opportunity = dict(index.rank_needs(rows[0], [q]))[1]
    assert opportunity.score == pytest.approx(next(m.score for m in index.rank(q) if m.company_id == 1), abs=1e-4)
    assert index.prepare(need("flange")).need.route == ()
    # a company that states no process at all is not known to be another route
    rims = MatchIndex.build([row(1, "velg racing"), row(2, "velg, bubut")])
    text = {m.company_id: m.parts["text"] for m in rims.rank(need("forged wheel rim"), only("text"))}
    assert text[1] > 0.5 and text[2] < 0.5 * text[1]


def test_a_part_named_after_for_is_what_the_part_is_for():
    rows = [row(1, "per daun, pegas daun"), row(2, "u bolt, baut u")]
    index = MatchIndex.build(rows)
    q = need("U-bolt for leaf spring for pick-up truck")
    prep = index.prepare(q)
    assert prep.tokens["leaf-spring"] < prep.tokens["u-bolt"]
    assert "spring-making" not in prep.need.processes  # the leaf spring's processes are not the need's
    assert index.rank(q)[0].company_id == 2
    # with no part before "for", the words after it are the part
    assert (
        index.prepare(need("for leaf spring")).tokens["leaf-spring"]
        == index.prepare(need("leaf spring")).tokens["leaf-spring"]
    )
    off = MatchIndex.build(rows, purpose=False).prepare(q)
    assert off.tokens["leaf-spring"] == off.tokens["u-bolt"]


def test_material_fit():
    index = MatchIndex.build(
        [
            row(1, materials=frozenset({"stainless-steel"})),
            row(2, "pipa SUS304"),
            row(3, materials=frozenset({"rubber"})),
        ]
    )
    q = need("tube", materials=frozenset({"stainless-steel"}))
    parts = {m.company_id: m.parts["materials"] for m in index.rank(q, only("materials"))}
    assert parts == {1: 1.0, 2: 1.0, 3: 0.0}


def test_required_certifications_are_hard_and_preferred_soft_and_valid_on_the_date():
    index = MatchIndex.build(
        [
            row(1, certifications={"iso-9001": TODAY + 100, "iso-14001": None}),
            row(2, certifications={"iso-9001": TODAY}),  # last valid day is today: still valid
            row(3, certifications={"iso-9001": TODAY - 1}),  # expired yesterday
            row(4),
        ]
    )
    q = need(
        "part",
        required_certifications=frozenset({"iso-9001"}),
        preferred_certifications=frozenset({"iso-14001"}),
        hard_filter=False,
    )
    matches = {m.company_id: m for m in index.rank(q, only("certifications"), hard_penalty=0.5)}
    assert matches[1].parts["certifications"] == 1.0 and not matches[1].hard_missing
    assert matches[2].parts["certifications"] == pytest.approx(2 / 3) and not matches[2].hard_missing
    assert matches[3].parts["certifications"] == 0.0 and matches[3].hard_missing
    assert matches[3].score == 0.0
    expired = gap(matches[3], "expired_certification")
    assert expired.en == "ISO 9001 expired on 31 May 2025 (required)"
    assert expired.id == "ISO 9001 kedaluwarsa pada 31 Mei 2025 (wajib)"
    missing = gap(matches[4], "missing_certification")
    assert (missing.en, missing.id) == ("No valid ISO 9001", "Tidak punya ISO 9001 yang berlaku")
    assert "missing_preferred_certification" in codes(matches[2].gaps)
    assert "Valid ISO 14001" in [r.en for r in matches[1].reasons]


def test_iatf_gap_is_worded_in_both_languages():
    index = MatchIndex.build([row(1, "stamping")])
    (m,) = index.rank(need("bracket", required_certifications=frozenset({"iatf-16949"}), hard_filter=False))
    g = gap(m, "missing_certification")
    assert (g.en, g.id) == ("No valid IATF 16949", "Tidak punya IATF 16949 yang berlaku")


def test_hard_filter_drops_and_penalty_keeps_with_the_penalty_applied():
    rows = [row(1, "knalpot", certifications={"iso-9001": None}), row(2, "knalpot")]
    index = MatchIndex.build(rows)
    base = {"required_certifications": frozenset({"iso-9001"})}
    assert [m.company_id for m in index.rank(need("muffler", hard_filter=True, **base))] == [1]
    kept = {m.company_id: m for m in index.rank(need("muffler", hard_filter=False, **base), hard_penalty=0.25)}
    assert set(kept) == {1, 2}
    weights = ex.normalised_weights(None)
    unpenalised = sum(weights[k] * v for k, v in kept[2].parts.items())
    assert kept[2].score == pytest.approx(0.25 * unpenalised)
    assert kept[2].hard_missing and not kept[1].hard_missing


def test_the_penalty_applies_even_when_certificates_weigh_nothing():
    index = MatchIndex.build([row(1, "knalpot"), row(2, "knalpot", certifications={"iso-9001": None})])
    q = need("muffler", required_certifications=frozenset({"iso-9001"}), hard_filter=False)
    ranked = {m.company_id: m for m in index.rank(q, only("text"), hard_penalty=0.5)}
    assert ranked[1].score == pytest.approx(0.5 * ranked[2].score)
    assert index.rank(q, only("text"), top_k=1, hard_penalty=0.5)[0].company_id == 2


def test_score_is_the_normalised_weighted_sum_of_the_parts():
    index = MatchIndex.build(
        [row(1, "knalpot racing", processes=frozenset({"welding"}), monthly_capacity=500, verified=True)]
    )
    weights = {
        "text": 3,
        "processes": 2,
        "materials": 1,
        "certifications": 1,
        "capacity": 1,
        "distance": 1,
        "readiness": 1,
    }
    (m,) = index.rank(need("muffler", monthly_volume=1000), weights)
    total = sum(weights.values())
    assert m.score == pytest.approx(sum(weights[k] / total * v for k, v in m.parts.items()))
    assert all(0.0 <= v <= 1.0 for v in m.parts.values())
    assert set(m.parts) == set(WEIGHTS)


def test_capacity_fit_and_its_gaps_with_numbers_per_language():
    index = MatchIndex.build([row(1, monthly_capacity=1000), row(2, monthly_capacity=8000), row(3)])
    matches = {m.company_id: m for m in index.rank(need("part", monthly_volume=5000), only("capacity"))}
    assert matches[1].parts["capacity"] == pytest.approx(0.2**3)  # a fifth of the volume: (1/5)³, convex
    assert matches[2].parts["capacity"] == 1.0
    linear = MatchIndex.build([row(1, monthly_capacity=1000)], capacity_power=1)
    assert linear.rank(need("part", monthly_volume=5000), only("capacity"))[0].parts["capacity"] == pytest.approx(0.2)
    assert 0 < matches[3].parts["capacity"] <= ex.UNKNOWN_MAX
    short = gap(matches[1], "capacity_short")
    assert short.en == "Capacity 1,000/month, need 5,000/month"
    assert short.id == "Kapasitas 1.000/bulan, kebutuhan 5.000/bulan"
    unknown = gap(matches[3], "capacity_unknown")
    assert (unknown.en, unknown.id) == ("Capacity unknown", "Kapasitas tidak diketahui")
    assert "capacity_ok" in codes(matches[2].reasons)


def test_unknown_capacity_scores_lower_when_the_volume_is_large():
    index = MatchIndex.build([row(i, monthly_capacity=c) for i, c in enumerate((500, 1000, 2000, 4000), 1)] + [row(9)])
    small = {m.company_id: m for m in index.rank(need("x", monthly_volume=100), only("capacity"))}[9]
    large = {m.company_id: m for m in index.rank(need("x", monthly_volume=50_000), only("capacity"))}[9]
    assert small.parts["capacity"] == ex.UNKNOWN_MAX
    assert large.parts["capacity"] < 0.1


def test_distance_part_and_wording():
    far = (-8.0, 110.2)
    index = MatchIndex.build(
        [row(1, latitude=CIKARANG[0], longitude=CIKARANG[1]), row(2, latitude=far[0], longitude=far[1]), row(3)]
    )
    q = need("part", latitude=CIKARANG[0], longitude=CIKARANG[1])
    matches = {m.company_id: m for m in index.rank(q, only("distance"))}
    km = ex.haversine_km(*CIKARANG, *far)
    assert matches[1].parts["distance"] == pytest.approx(1.0, abs=1e-4)
    assert matches[2].parts["distance"] == pytest.approx(math.exp(-km / 300), rel=1e-3)
    assert matches[3].parts["distance"] == ex.NEUTRAL
    g = gap(matches[2], "far_from_plant")
    assert g.en == f"{round(km):,} km from the delivery plant"
    assert g.id == f"{round(km):,} km dari pabrik tujuan".replace(",", ".")
    assert "location_unknown" in codes(matches[3].gaps)
    assert index.rank(q, only("distance"))[0].company_id == 1


def test_numbers_and_dates_per_language():
    assert ex.number(312, "en") == "312" and ex.number(1234, "en") == "1,234" and ex.number(1234, "id") == "1.234"
    assert ex.day(date(2025, 8, 17).toordinal(), "id") == "17 Agustus 2025"
    assert ex.day(date(2025, 8, 17).toordinal(), "en") == "17 August 2025"


def test_readiness_is_verification_and_completeness():
    index = MatchIndex.build([row(1, verified=True, completeness=100), row(2, completeness=40)])
    matches = {m.company_id: m for m in index.rank(need("x"), only("readiness"))}
    assert matches[1].parts["readiness"] == 1.0
    assert matches[2].parts["readiness"] == pytest.approx(0.2)
    assert "not_verified" in codes(matches[2].gaps) and "incomplete_profile" in codes(matches[2].gaps)


def test_text_part_is_normalised_per_need_and_the_best_text_scores_one():
    index = MatchIndex.build(
        [row(1, "knalpot racing, leher knalpot, silincer"), row(2, "knalpot"), row(3, "bubut cnc"), row(4, "")]
    )
    matches = {m.company_id: m for m in index.rank(need("exhaust muffler"), only("text"))}
    assert max(m.parts["text"] for m in matches.values()) == 1.0
    assert matches[3].parts["text"] == 0.0 and matches[4].parts["text"] == 0.0
    assert "text_match" in codes(matches[2].reasons)
    assert gap(matches[3], "no_text_match").en.startswith("Profile does not mention exhaust")


# --- bilingual matching ---------------------------------------------------------------------------------


def test_an_english_need_finds_indonesian_and_slang_profiles():
    rows = [
        row(1, "Spesialis knalpot racing & standar, las MIG, bending pipa", region="33.03"),
        row(2, "kampas rem tromol & cakram"),
        row(3, "cor besi FC25, tromol"),
        row(4, "per daun truk, per keong"),
        row(5, "bubut CNC as roda"),
    ]
    index = MatchIndex.build(rows)
    top = lambda text: index.rank(need(text), top_k=1)[0].company_id  # noqa: E731
    assert top("muffler assembly for 110cc scooter") == 1
    assert top("disc brake pad") == 2
    assert top("cast iron brake drum") == 3
    assert top("leaf spring for light truck") == 4
    assert top("CNC turned axle shaft") == 5


def test_an_indonesian_need_finds_english_profiles():
    index = MatchIndex.build(
        [
            row(1, "Motorcycle exhaust (muffler & silencer)"),
            row(2, "Brake shoes and brake pads"),
            row(3, "Leaf springs"),
        ]
    )
    assert index.rank(need("butuh knalpot motor"), top_k=1)[0].company_id == 1
    assert index.rank(need("kampas rem"), top_k=1)[0].company_id == 2
    assert index.rank(need("per daun"), top_k=1)[0].company_id == 3


def test_the_demo_story_purbalingga_exhaust_makers_come_first():
    rows = [
        row(
            1,
            "knalpot racing Vario, las MIG",
            latitude=PURBALINGGA[0],
            longitude=PURBALINGGA[1],
            certifications={"iso-9001": None},
        ),
        row(
            2,
            "KNALPOT STANDAR + RACING",
            latitude=PURBALINGGA[0] + 0.02,
            longitude=PURBALINGGA[1],
            certifications={"iso-9001": None},
        ),
        row(3, "pres stamping bracket", latitude=CIKARANG[0], longitude=CIKARANG[1], certifications={"iso-9001": None}),
        row(4, "knalpot kolong", latitude=PURBALINGGA[0], longitude=PURBALINGGA[1]),  # no ISO 9001
    ]
    index = MatchIndex.build(rows)
    q = need(
        "muffler assembly for 110cc scooter, 60,000 pcs/year, ISO 9001 required, delivery Cikarang",
        required_certifications=frozenset({"iso-9001"}),
        monthly_volume=5000,
        latitude=CIKARANG[0],
        longitude=CIKARANG[1],
    )
    ranked = index.rank(q)
    assert [m.company_id for m in ranked][:2] == [1, 2] or [m.company_id for m in ranked][:2] == [2, 1]
    assert 4 not in [m.company_id for m in ranked]
    assert any(g.code == "far_from_plant" for g in ranked[0].gaps)


# --- kinds, updates, removal ---------------------------------------------------------------------------------


def test_only_the_needs_kinds_are_candidates():
    index = MatchIndex.build([row(1, "knalpot"), row(2, "knalpot", kind="industry")])
    assert [m.company_id for m in index.rank(need("muffler"))] == [1]
    both = need("muffler", kinds=frozenset({"ikm", "industry"}))
    assert {m.company_id for m in index.rank(both)} == {1, 2}
    assert index.rank(need("muffler", kinds=frozenset({"assessor"}))) == []


def test_upsert_changes_the_ranking_without_a_rebuild_and_compaction_keeps_it():
    index = MatchIndex.build([row(1, "knalpot racing"), row(2, "bubut cnc"), row(3, "cor besi")], merge_min=1000)
    version = index.version
    q = need("leaf spring")
    assert index.rank(q, top_k=1)[0].parts["text"] == 0.0
    index.upsert([row(2, "per daun truk, pegas daun")])
    assert index.version == version  # no rebuild: the new text sits in the delta
    first = index.rank(q, top_k=1)[0]
    assert first.company_id == 2 and first.parts["text"] == 1.0
    assert "text_match" in codes(first.reasons)  # read from the delta
    index.upsert([row(1, "bubut")])  # company 1's main row is stale now: "knalpot" no longer counts
    assert "text_match" not in codes(next(m for m in index.rank(need("muffler")) if m.company_id == 1).reasons)
    index.upsert([row(4, "per daun", processes=frozenset({"spring-making"}))])  # a new company
    assert {m.company_id for m in index.rank(q, top_k=2)} == {2, 4}
    before = [(m.company_id, round(m.score, 5)) for m in index.rank(q)]
    index.compact()
    assert index.version == version + 1 and not index.delta
    assert [(m.company_id, round(m.score, 5)) for m in index.rank(q)] == before


def test_upsert_replaces_structured_fields_too():
    index = MatchIndex.build([row(1, "knalpot", monthly_capacity=100)])
    q = need("muffler", monthly_volume=1000)
    assert index.rank(q)[0].parts["capacity"] == pytest.approx(0.1**3)
    index.upsert([row(1, "knalpot", monthly_capacity=2000, certifications={"iso-9001": None})])
    assert index.rank(q)[0].parts["capacity"] == 1.0
    assert len(index) == 1


def test_merging_happens_by_itself_past_the_threshold():
    index = MatchIndex.build([row(i, "bubut") for i in range(1, 11)], merge_min=3, merge_fraction=0.0)
    version = index.version
    index.upsert([row(i, "knalpot") for i in range(1, 5)])
    assert index.version == version + 1 and not index.delta
    assert {m.company_id for m in index.rank(need("muffler"), top_k=4)} == {1, 2, 3, 4}


def test_remove_and_slot_reuse():
    index = MatchIndex.build([row(1, "knalpot"), row(2, "knalpot"), row(3, "bubut")])
    assert index.remove([2, 99]) == 1
    assert 2 not in index and len(index) == 2
    assert index.rank(need("muffler"))[0].company_id == 1
    assert 2 not in [m.company_id for m in index.rank(need("muffler"))]
    index.upsert([row(7, "per daun")])  # takes the freed slot
    assert index.n == 3 and 7 in index
    assert index.rank(need("leaf spring"), top_k=1)[0].company_id == 7
    assert index.rank(need("muffler"), top_k=1)[0].company_id == 1


def test_new_codes_after_the_build_are_indexed():
    index = MatchIndex.build([row(1, "x", processes=frozenset({"welding"}))])
    index.upsert([row(2, "y", processes=frozenset({"laser-cutting"}), certifications={"api-6d": None})])
    q = need("z", processes=frozenset({"laser-cutting"}), required_certifications=frozenset({"api-6d"}))
    assert [m.company_id for m in index.rank(q)] == [2]


# --- one company against the needs ----------------------------------------------------------------------------


def test_rank_needs_gives_the_same_score_as_rank():
    rows = [
        row(1, "knalpot racing, las MIG", monthly_capacity=3000, latitude=PURBALINGGA[0], longitude=PURBALINGGA[1]),
        row(2, "kampas rem", verified=True, completeness=90),
        row(3, "bubut cnc"),
    ]
    index = MatchIndex.build(rows)
    needs = [
        need("muffler for scooter", id=10, monthly_volume=5000, latitude=CIKARANG[0], longitude=CIKARANG[1]),
        need("brake pad", id=11, required_certifications=frozenset({"iso-9001"})),  # hard filter drops company 1
        need("exhaust pipe", id=12, kinds=frozenset({"industry"})),  # not for an IKM
        need("silencer", id=13, preferred_certifications=frozenset({"iso-9001"})),
    ]
    opportunities = index.rank_needs(rows[0], needs)
    assert [need_id for need_id, _ in opportunities] in ([10, 13], [13, 10])
    for need_id, match in opportunities:
        ranked = {m.company_id: m for m in index.rank(next(n for n in needs if n.id == need_id))}
        assert match.score == pytest.approx(ranked[1].score, abs=1e-4)
        assert match.parts == pytest.approx(ranked[1].parts, abs=1e-4)
        assert codes(match.gaps) == codes(ranked[1].gaps)


def test_memory_is_reported_and_grows_with_the_index():
    small = MatchIndex.build([row(i, "knalpot racing") for i in range(10)])
    large = MatchIndex.build([row(i, f"knalpot racing {i}") for i in range(5000)])
    assert 0 < small.memory_bytes() < large.memory_bytes()


def test_match_as_dict_is_json_ready():
    index = MatchIndex.build([row(1, "knalpot", monthly_capacity=100)])
    d = index.rank(need("muffler", monthly_volume=1000))[0].as_dict()
    assert d["company_id"] == 1 and set(d["parts"]) == set(WEIGHTS)
    assert {"code", "id", "en"} == set(d["gaps"][0])


def test_the_engine_imports_no_django():
    code = (
        "import sys\n"
        "import jalin.matching.engine, jalin.matching.engine.index, jalin.matching.engine.text\n"
        "import jalin.matching.engine.explain, jalin.matching.engine.lexicon, jalin.matching.engine.types\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_pruned_ranking_is_exactly_the_full_ranking():
    import random

    rng = random.Random(5)
    words = ["knalpot", "las", "bubut", "cor besi", "per daun", "kampas rem", "bracket", "baut", "karet", "stainless"]
    procs = ["welding", "turning", "casting", "stamping", "pipe-bending"]
    rows = []
    for i in range(1, 3001):
        rows.append(
            row(
                i,
                " ".join(rng.sample(words, rng.randint(0, 3))),
                processes=frozenset(rng.sample(procs, rng.randint(0, 2))),
                certifications={"iso-9001": TODAY + rng.randint(-400, 400)} if rng.random() < 0.2 else {},
                monthly_capacity=rng.choice([None, 500, 2000, 8000]),
                latitude=None if rng.random() < 0.3 else -7 + rng.random(),
                longitude=None if rng.random() < 0.3 else 107 + 3 * rng.random(),
                verified=rng.random() < 0.5,
                completeness=rng.randint(0, 100),
                kind="ikm" if rng.random() < 0.9 else "industry",
            )
        )
    index = MatchIndex.build(rows)
    needs = [
        need("muffler", monthly_volume=3000, latitude=-6.3, longitude=107.15),
        need("leaf spring", required_certifications=frozenset({"iso-9001"}), hard_filter=False),
        need("bracket", required_certifications=frozenset({"iso-9001"}), monthly_volume=1000),
        need("brake pad", preferred_certifications=frozenset({"iso-9001"}), latitude=-7.0, longitude=110.0),
        need("casting", processes=frozenset({"casting", "turning"}), kinds=frozenset({"ikm", "industry"})),
    ]
    heavy = {"text": 0.1, "processes": 0.05, "materials": 0, "certifications": 0.3, "capacity": 0.25}
    for q in needs:
        for weights in (None, {**heavy, "distance": 0.3, "readiness": 0}):
            for k in (1, 5, 20):
                pruned = [(m.company_id, round(m.score, 6)) for m in index.rank(q, weights, top_k=k)]
                full = [(m.company_id, round(m.score, 6)) for m in index.rank(q, weights, top_k=k, prune=False)]
                assert pruned == full
