"""Candidates as records: the ranking kept per need, the workflow as data with every step logged twice
(a CandidateEvent for the funnel, an ObjectChange for the change log), interest, nomination, invitation,
the lexicon and the weights. Real database, real engine, no mocks.

The builders here (:func:`build_matching`) are shared by the pages, API and authorisation tests.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from jalin.companies import services as company_services
from jalin.companies.models import CertificationType, Company, Material, Plant, Process
from jalin.core.models import ObjectChange
from jalin.matching import index, services
from jalin.matching.models import (
    Candidate,
    CandidateEvent,
    CandidateOrigin,
    CandidateStatus,
    LexiconEntry,
    MatchSettings,
)
from jalin.regions.models import Region
from jalin.sourcing import services as sourcing_services
from jalin.sourcing.models import Need, NeedStatus, Visibility
from tests.test_registry_pages import BEKASI, KLATEN, TEGAL, add_certification, make_company

PURBALINGGA = "33.03"

# ------------------------------------------------------------------------------------ builders


def make_need(buyer: Company, **fields) -> Need:
    """An open need of ``buyer``, made through the sourcing services (created as a draft, then published)."""
    status = fields.pop("status", NeedStatus.OPEN)
    values = {
        "title": "Muffler assembly for 110cc scooter",
        "description": "Complete exhaust muffler assembly: bent steel pipe, welded, painted. ISO 9001 required.",
        "part_category": "Exhaust",
        "hs_code": "8714.10",
        "annual_volume": 60000,
        "visibility": Visibility.OPEN,
        "hard_filter": False,
        "delivery_plant": buyer.plants.first(),
        "processes": list(Process.objects.filter(code__in=fields.pop("processes", ("pipe-bending", "welding")))),
        "materials": list(Material.objects.filter(code__in=fields.pop("materials", ("steel-pipe", "sheet-steel")))),
        "required_certifications": list(
            CertificationType.objects.filter(code__in=fields.pop("required", ("iso-9001",)))
        ),
    }
    values.update(fields)
    need = sourcing_services.create_need(actor=None, buyer=buyer, **values)
    if status != NeedStatus.DRAFT:
        sourcing_services.set_status(need, actor=None, status=NeedStatus.OPEN)
    if status not in (NeedStatus.DRAFT, NeedStatus.OPEN):
        sourcing_services.set_status(need, actor=None, status=status)
    return need


def set_visibility(need: Need, visibility: str) -> None:
    sourcing_services.update_need(need, actor=None, visibility=visibility)


def set_need_status(need: Need, status: str) -> None:
    sourcing_services.set_status(need, actor=None, status=status)


def build_matching(own_org, other_org, buyer_org) -> dict:
    """A buyer in Bekasi with a plant in Cikarang, its muffler need, and IKM that fit it well, partly and
    hardly: Tegal (own_org; exhaust maker, ISO 9001, enough capacity), Purbalingga (exhaust maker without
    ISO 9001 and with too little capacity) and Klaten (other_org; a foundry)."""
    buyer = make_company(
        "PT Pembeli Otomotif", BEKASI, org=buyer_org, verified=True, kind="industry", buyer_type="apm_2w"
    )
    company_services.save_child(
        Plant,
        actor=None,
        company=buyer,
        name="Plant Cikarang",
        region=Region.objects.get(code=BEKASI),
        latitude=Decimal("-6.300000"),
        longitude=Decimal("107.150000"),
    )
    tegal = make_company(
        "PT Logam Tegal",
        TEGAL,
        org=own_org,
        verified=True,
        processes=["pipe-bending", "welding", "painting"],
        materials=["steel-pipe", "sheet-steel"],
        products="Knalpot motor (muffler), pipa knalpot, bracket knalpot",
        hs_codes="8714.10",
        monthly_capacity=8000,
        latitude=Decimal("-6.950000"),
        longitude=Decimal("109.140000"),
        npwp="0013000666091000",
        phone="0283-555",
        email="logam@tegal.test",
        contact_name="Pak Rahasia",
        turnover=Decimal("1500000000"),
    )
    add_certification(tegal, "iso-9001", days=400)
    purbalingga = make_company(
        "UD Knalpot Purbalingga",
        PURBALINGGA,
        verified=True,
        processes=["pipe-bending", "welding"],
        materials=["steel-pipe"],
        products="Knalpot racing dan knalpot standar motor",
        monthly_capacity=1000,
        phone="0281-999",
        email="knalpot@purbalingga.test",
    )
    klaten = make_company(
        "CV Cor Klaten",
        KLATEN,
        org=other_org,
        verified=True,
        processes=["casting"],
        materials=["cast-iron"],
        products="Coran besi untuk rumah pompa",
        monthly_capacity=3000,
    )
    pekalongan = make_company(
        "CV Las Pekalongan",
        "33.26",
        verified=True,
        processes=["welding", "sheet-metal"],
        materials=["sheet-steel"],
        products="Rangka dan bracket las, tangki",
        monthly_capacity=2000,
    )
    need = make_need(buyer)
    return {
        "buyer": buyer,
        "tegal": tegal,
        "purbalingga": purbalingga,
        "pekalongan": pekalongan,
        "klaten": klaten,
        "need": need,
    }


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test starts with an index built from its own database (rolled back rows must not linger)."""
    index.reset_index()
    yield
    index.reset_index()


@pytest.fixture
def world(db, own_org, other_org, buyer_org):
    return build_matching(own_org, other_org, buyer_org)


def candidate(need, company) -> Candidate:
    return Candidate.objects.get(need=need, company=company)


def changes_of(obj) -> list[ObjectChange]:
    return list(
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(obj._meta.model), object_id=str(obj.pk)
        ).order_by("time", "pk")
    )


# ------------------------------------------------------------------------------------ refresh


def test_refresh_creates_ranked_candidates_with_explanations(world, buyer):
    need = world["need"]
    result = services.refresh_candidates(need, actor=buyer)
    rows = list(Candidate.objects.filter(need=need).order_by("rank"))
    assert result.created == len(rows) >= 2 and result.removed == 0
    assert [c.rank for c in rows] == list(range(1, len(rows) + 1))
    assert [c.score for c in rows] == sorted((c.score for c in rows), reverse=True)
    assert rows[0].company == world["tegal"]  # the exhaust maker with ISO 9001 and the capacity
    by_company = {c.company_id: c for c in rows}
    assert world["purbalingga"].pk in by_company
    for c in rows:
        assert c.status == CandidateStatus.SUGGESTED and c.origin == CandidateOrigin.ENGINE
        assert c.scored_at is not None and 0 <= c.score <= 1
        assert set(c.explanation["parts"]) == {
            "text",
            "processes",
            "materials",
            "certifications",
            "capacity",
            "distance",
            "readiness",
        }
        for message in c.explanation["reasons"] + c.explanation["gaps"]:
            assert message["id"] and message["en"] and message["code"]
        # A match proposed: one event from nothing to "suggested", and a "created" entry in the change log.
        [event] = c.events.all()
        assert (event.from_status, event.to_status, event.actor) == ("", CandidateStatus.SUGGESTED, buyer)
        assert [change.action for change in changes_of(c)] == ["create"]
    gaps = " ".join(g["en"] for g in by_company[world["purbalingga"].pk].explanation["gaps"])
    assert "ISO 9001" in gaps  # the hard requirement it misses


def test_refresh_keeps_acted_on_candidates_and_drops_stale_suggestions(world, buyer, officer):
    need = world["need"]
    services.refresh_candidates(need, actor=buyer, top_k=3)
    rows = list(Candidate.objects.filter(need=need).order_by("rank"))
    assert len(rows) == 3
    first, second, third = rows
    services.transition(third, to=CandidateStatus.SHORTLISTED, actor=buyer)
    before = third.scored_at

    result = services.refresh_candidates(need, actor=officer, top_k=1)
    assert (result.created, result.removed) == (0, 1)  # the second was only ever suggested
    assert not Candidate.objects.filter(pk=second.pk).exists()
    kept = Candidate.objects.get(pk=third.pk)
    assert kept.status == CandidateStatus.SHORTLISTED  # acted on: stays, with a fresh score and its real rank
    assert kept.scored_at > before and kept.rank == 3 and kept.explanation["parts"]
    assert Candidate.objects.get(pk=first.pk).rank == 1
    assert result.total == 2
    # The deletion is in the change log; the shortlisting events stay with the kept candidate.
    assert [c.action for c in changes_of(second)] == ["create", "delete"]
    assert [e.to_status for e in kept.events.all()] == ["suggested", "shortlisted"]


def test_refresh_keeps_interest_even_when_out_of_the_top(world, buyer, outsider):
    need = world["need"]
    services.express_interest(need, actor=outsider, note="We cast exhaust flanges too.")
    services.refresh_candidates(need, actor=buyer, top_k=1)
    interest = candidate(need, world["klaten"])
    assert interest.origin == CandidateOrigin.INTEREST and interest.status == CandidateStatus.SUGGESTED
    assert interest.scored_at is not None  # it got a score even though it is not in the top 1


def test_only_the_buyer_and_officers_refresh(world, people, own_org, other_org):
    need = world["need"]
    for name in ("owner", "outsider", "assessor"):
        with pytest.raises(PermissionDenied):
            services.refresh_candidates(need, actor=people[name])
    other_buyer_org = type(own_org).objects.create(name="PT Lain", kind="buyer", region=own_org.region)
    from tests.conftest import make_user

    stranger = make_user("stranger@buyer.test", "buyer", other_buyer_org)
    with pytest.raises(PermissionDenied):
        services.refresh_candidates(need, actor=stranger)
    assert not Candidate.objects.exists()
    for name in ("buyer", "officer", "regional"):
        services.refresh_candidates(need, actor=people[name])
    assert Candidate.objects.filter(need=need).count() >= 2


# ------------------------------------------------------------------------------------ transitions


@pytest.fixture
def ranked(world, buyer):
    services.refresh_candidates(world["need"], actor=buyer)
    return world


def test_the_workflow_from_suggested_to_qualified(ranked, buyer):
    c = candidate(ranked["need"], ranked["tegal"])
    steps = ["shortlisted", "invited", "met", "evaluating", "qualified"]
    for to in steps:
        services.transition(c, to=to, actor=buyer)
    c.refresh_from_db()
    assert c.status == "qualified"
    events = list(c.events.all())
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "suggested"),
        ("suggested", "shortlisted"),
        ("shortlisted", "invited"),
        ("invited", "met"),
        ("met", "evaluating"),
        ("evaluating", "qualified"),
    ]
    assert all(e.actor == buyer and e.time is not None for e in events[1:])
    assert [e.time for e in events] == sorted(e.time for e in events)
    changes = [ch for ch in changes_of(c) if ch.action == "update"]
    assert [(ch.before["status"], ch.after["status"]) for ch in changes] == list(
        zip(["suggested", *steps[:-1]], steps, strict=True)
    )
    assert all(ch.actor == buyer for ch in changes)


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ([], "invited"),  # skipping the shortlist
        ([], "qualified"),
        (["shortlisted"], "met"),
        (["shortlisted", "invited"], "evaluating"),
        (["shortlisted", "invited", "met", "evaluating", "qualified"], "declined"),  # final
        ([], "nonsense"),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(ranked, buyer, path, to):
    c = candidate(ranked["need"], ranked["tegal"])
    for step in path:
        services.transition(c, to=step, actor=buyer)
    events, changes = CandidateEvent.objects.count(), ObjectChange.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.transition(c, to=to, actor=buyer, reason="whatever")
    assert "to" in raised.value.message_dict
    if to != "nonsense":
        assert "cannot move from" in raised.value.message_dict["to"][0]
    c.refresh_from_db()
    assert c.status == (path[-1] if path else "suggested")
    assert (CandidateEvent.objects.count(), ObjectChange.objects.count()) == (events, changes)


def test_declining_needs_a_reason_in_the_users_language(ranked, buyer):
    c = candidate(ranked["need"], ranked["purbalingga"])
    for language in ("id", "en"):
        with translation.override(language):
            with pytest.raises(ValidationError) as raised:
                services.transition(c, to="declined", actor=buyer, reason="   ")
            expected = translation.gettext("Give a reason for declining this candidate.")
        assert raised.value.message_dict["reason"] == [expected]
    c.refresh_from_db()
    assert c.status == "suggested"
    services.transition(c, to="declined", actor=buyer, reason="No valid ISO 9001; capacity 1,000/month")
    c.refresh_from_db()
    assert c.status == "declined" and c.decline_reason.startswith("No valid ISO 9001")
    event = c.events.last()
    assert event.to_status == "declined" and event.note.startswith("No valid ISO 9001")
    # Reconsidered: back on the shortlist, the reason cleared (the event keeps it).
    services.transition(c, to="shortlisted", actor=buyer)
    c.refresh_from_db()
    assert c.status == "shortlisted" and c.decline_reason == ""


def test_who_moves_candidates(ranked, people, officer):
    c = candidate(ranked["need"], ranked["tegal"])
    for name in ("regional", "regional_other", "owner", "colleague", "outsider", "assessor"):
        with pytest.raises(PermissionDenied):
            services.transition(c, to="shortlisted", actor=people[name])
    assert CandidateEvent.objects.filter(candidate=c).count() == 1
    services.transition(c, to="shortlisted", actor=officer)
    assert c.events.last().actor == officer


def test_inviting_needs_an_open_need(ranked, buyer):
    need = ranked["need"]
    c = candidate(need, ranked["tegal"])
    services.transition(c, to="shortlisted", actor=buyer)
    set_need_status(need, NeedStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.transition(c, to="invited", actor=buyer)
    set_need_status(need, NeedStatus.OPEN)
    services.transition(c, to="invited", actor=buyer)


def test_an_invitation_shows_an_invitation_only_need_to_the_invited_ikm_only(world, buyer, owner, colleague, outsider):
    need = world["need"]
    set_visibility(need, Visibility.INVITATION)
    services.refresh_candidates(need, actor=buyer)
    visible = lambda user: Need.objects.restrict(user, "view").filter(pk=need.pk).exists()  # noqa: E731
    assert not visible(owner) and not visible(outsider)
    tegal = candidate(need, world["tegal"])
    services.transition(tegal, to="shortlisted", actor=buyer)
    assert not visible(owner)  # shortlisted is the buyer's own business
    services.transition(tegal, to="invited", actor=buyer)
    assert visible(owner) and visible(colleague)
    assert not visible(outsider)
    # The invited IKM finds it among its opportunities; the others do not.
    assert need.pk in [n.pk for n, _m in index.opportunities(world["tegal"])]
    assert need.pk not in [n.pk for n, _m in index.opportunities(world["klaten"])]


# ------------------------------------------------------------------------------------ interest and nomination


def test_express_interest_is_idempotent(world, owner, colleague):
    need = world["need"]
    c = services.express_interest(need, actor=owner, note="We make mufflers for two APM already.")
    assert (c.status, c.origin, c.company) == ("suggested", "interest", world["tegal"])
    assert c.interest_note.startswith("We make mufflers")
    assert c.scored_at is not None and c.rank and c.explanation["parts"]  # the buyer sees why it fits at once
    assert [(e.from_status, e.to_status, e.actor) for e in c.events.all()] == [("", "suggested", owner)]
    changes = ObjectChange.objects.count()
    again = services.express_interest(need, actor=colleague, note="We make mufflers for two APM already.")
    assert again.pk == c.pk and Candidate.objects.filter(need=need).count() == 1
    assert ObjectChange.objects.count() == changes and CandidateEvent.objects.count() == 1
    services.express_interest(need, actor=owner)  # no note: keeps the one given
    assert candidate(need, world["tegal"]).interest_note.startswith("We make mufflers")
    services.express_interest(need, actor=owner, note="Sample ready next week.")
    assert candidate(need, world["tegal"]).interest_note == "Sample ready next week."
    assert ObjectChange.objects.count() == changes + 1


def test_interest_upgrades_an_engine_suggestion(ranked, owner):
    need = ranked["need"]
    assert candidate(need, ranked["tegal"]).origin == "engine"
    services.express_interest(need, actor=owner, note="Yes please")
    c = candidate(need, ranked["tegal"])
    assert (c.origin, c.status, c.interest_note) == ("interest", "suggested", "Yes please")
    assert c.events.count() == 1  # no status moved


def test_who_may_express_interest(world, people, db):
    need = world["need"]
    for name in ("buyer", "officer", "regional", "assessor"):
        with pytest.raises(PermissionDenied):
            services.express_interest(need, actor=people[name])
    set_visibility(need, Visibility.INVITATION)
    with pytest.raises(PermissionDenied):  # a need it cannot see
        services.express_interest(need, actor=people["owner"])
    set_visibility(need, Visibility.OPEN)
    set_need_status(need, NeedStatus.CLOSED)
    with pytest.raises(PermissionDenied):  # a closed need is out of an IKM's sight
        services.express_interest(need, actor=people["owner"])
    set_need_status(need, NeedStatus.OPEN)
    set_need_status(need, NeedStatus.AWARDED)
    with pytest.raises(ValidationError):  # seen, but no longer taking candidates
        services.express_interest(need, actor=people["owner"])
    assert not Candidate.objects.exists()


def test_interest_without_a_company_profile(world, db):
    from tests.conftest import make_org, make_user

    lonely = make_user("lonely@ikm.test", "ikm", make_org("CV Tanpa Profil", "ikm", TEGAL))
    with pytest.raises(ValidationError):
        services.express_interest(world["need"], actor=lonely)


def test_nominate_permissions(world, people):
    need, tegal, klaten = world["need"], world["tegal"], world["klaten"]
    for name in ("owner", "buyer", "assessor"):
        with pytest.raises(PermissionDenied):
            services.nominate(need, tegal, actor=people[name])
    with pytest.raises(PermissionDenied):  # a regional officer outside its region
        services.nominate(need, tegal, actor=people["regional_other"])
    with pytest.raises(PermissionDenied):
        services.nominate(need, klaten, actor=people["regional"])
    assert not Candidate.objects.exists()

    c = services.nominate(need, tegal, actor=people["regional"], note="Strong exhaust maker of Tegal")
    assert (c.status, c.origin) == ("shortlisted", "nomination")
    assert c.explanation["parts"] and c.scored_at is not None
    [event] = c.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("", "shortlisted", people["regional"])
    assert event.note == "Strong exhaust maker of Tegal"
    assert [ch.action for ch in changes_of(c)] == ["create"]
    with pytest.raises(ValidationError):  # already a candidate
        services.nominate(need, tegal, actor=people["officer"])
    c2 = services.nominate(need, klaten, actor=people["officer"])
    assert c2.status == "shortlisted"
    with pytest.raises(ValidationError):  # only IKM
        services.nominate(need, world["buyer"], actor=people["officer"])


def test_nominating_an_engine_suggestion_shortlists_it(ranked, officer):
    need = ranked["need"]
    c = services.nominate(need, ranked["purbalingga"], actor=officer)
    assert (c.status, c.origin) == ("shortlisted", "nomination")
    assert [(e.from_status, e.to_status) for e in c.events.all()] == [("", "suggested"), ("suggested", "shortlisted")]


# ------------------------------------------------------------------------------------ lexicon and weights


def test_lexicon_entries_are_lower_case_unique_and_logged(officer, regional, db):
    entry = services.create_lexicon_entry(
        actor=officer, term="  Knalpot   Racing ", concept="exhaust", language="slang"
    )
    assert entry.term == "knalpot racing"
    assert [c.action for c in changes_of(entry)] == ["create"]
    with pytest.raises(ValidationError):
        services.create_lexicon_entry(actor=officer, term="KNALPOT RACING", concept="exhaust")
    with pytest.raises(ValidationError):
        services.create_lexicon_entry(actor=officer, term="per daun", concept="leaf spring!")
    with pytest.raises(PermissionDenied):
        services.create_lexicon_entry(actor=regional, term="per daun", concept="leaf-spring")
    services.update_lexicon_entry(entry, actor=officer, note="Racing exhausts")
    pk = entry.pk
    services.delete_lexicon_entry(entry, actor=officer)
    entry.pk = pk
    assert [c.action for c in changes_of(entry)] == ["create", "update", "delete"]
    assert not LexiconEntry.objects.exists()


def test_weights_are_validated_and_each_change_is_logged(officer, regional, db):
    current = MatchSettings.current()
    with pytest.raises(ValidationError) as raised:
        services.update_match_settings(actor=officer, text=-0.1)
    assert "text" in raised.value.message_dict
    zeros = dict.fromkeys(("text", "processes", "materials", "certifications", "capacity", "distance"), 0)
    with pytest.raises(ValidationError):
        services.update_match_settings(actor=officer, readiness=0, **zeros)
    with pytest.raises(ValidationError) as raised:
        services.update_match_settings(actor=officer, hard_penalty=1.5)
    assert "hard_penalty" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        services.update_match_settings(actor=regional, text=0.5)
    assert changes_of(current) == []

    services.update_match_settings(actor=officer, text=0.4, hard_penalty=0.25)
    [change] = changes_of(current)
    assert change.actor == officer
    assert (change.before["text"], change.after["text"]) == (0.25, 0.4)
    assert (change.before["hard_penalty"], change.after["hard_penalty"]) == (0.5, 0.25)
    assert MatchSettings.objects.count() == 1


def test_default_settings_come_from_the_data_migration(db):
    row = MatchSettings.objects.get()
    assert row.weights()["text"] == pytest.approx(0.25) and row.hard_penalty == pytest.approx(0.5)


def test_a_weight_change_reaches_the_next_refresh(world, buyer, officer):
    need = world["need"]
    services.refresh_candidates(need, actor=buyer)
    before = {c.company_id: c.score for c in Candidate.objects.filter(need=need)}
    zeros = dict.fromkeys(("text", "processes", "materials", "certifications", "capacity", "distance"), 0)
    services.update_match_settings(actor=officer, readiness=1, **zeros)
    services.refresh_candidates(need, actor=buyer)
    after = {c.company_id: c.score for c in Candidate.objects.filter(need=need)}
    assert after != before


def test_certificate_validity_counts(world, buyer):
    """An expired certificate does not satisfy the need (the explanation says so)."""
    need = world["need"]
    cert = world["tegal"].certifications.get()
    company_services.save_child(
        type(cert), actor=None, company=world["tegal"], instance=cert,
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    services.refresh_candidates(need, actor=buyer)
    gaps = " ".join(g["en"] for g in candidate(need, world["tegal"]).explanation["gaps"])
    assert "ISO 9001" in gaps
