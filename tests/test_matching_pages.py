"""The matching pages and API: a need's candidates (ranking, parts, reasons, gaps, workflow buttons,
decline with a reason, status filter, refresh, nomination, funnel), an IKM's opportunities in both
languages, the lexicon and the weights; private fields never shown to buyers; N+1 guards."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from jalin.core.models import ObjectChange
from jalin.matching import index, services
from jalin.matching.engine.types import WEIGHTS
from jalin.matching.models import Candidate, CandidateEvent, LexiconEntry, MatchSettings
from jalin.sourcing.models import Visibility
from tests.test_matching_workflow import build_matching, candidate, make_company, make_need, set_visibility
from tests.test_registry_pages import TEGAL


@pytest.fixture(autouse=True)
def _fresh_index():
    index.reset_index()
    yield
    index.reset_index()


@pytest.fixture
def world(db, own_org, other_org, buyer_org):
    return build_matching(own_org, other_org, buyer_org)


@pytest.fixture
def ranked(world, buyer):
    services.refresh_candidates(world["need"], actor=buyer)
    return world


def url_of(need) -> str:
    return f"/matching/needs/{need.pk}/candidates/"


def page_of(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def switch(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


# ------------------------------------------------------------------------------------ the candidates page


def test_candidates_page_shows_the_ranking_explained(client_for, buyer, ranked):
    need = ranked["need"]
    client = client_for(buyer)
    html = page_of(client, url_of(need))
    rows = list(Candidate.objects.filter(need=need).order_by("rank"))
    positions = [html.index(escape(c.company.legal_name)) for c in rows]
    assert positions == sorted(positions)  # best first
    top = rows[0]
    assert f"{round(top.score * 100)}" in html
    for message in top.explanation["reasons"]:
        assert escape(message["id"]) in html  # Indonesian by default
    purbalingga = candidate(need, ranked["purbalingga"])
    for gap in purbalingga.explanation["gaps"]:
        assert escape(gap["id"]) in html
    assert 'class="funnel"' in html and f"/companies/{top.company_id}/" in html
    assert 'name="to" value="shortlisted"' in html and 'name="reason"' in html  # the buyer decides
    assert "/matching/needs/" in html and "/refresh/" in html

    switch(client, "en")
    html = page_of(client, url_of(need))
    for gap in purbalingga.explanation["gaps"]:
        assert escape(gap["en"]) in html
    assert "Refresh ranking" in html and "Shortlist" in html


def test_officers_see_actions_by_role_and_the_settings_links(client_for, officer, regional, ranked):
    need = ranked["need"]
    html = page_of(client_for(officer), url_of(need))
    assert 'name="to" value="shortlisted"' in html
    assert "/matching/lexicon/" in html and "/matching/settings/" in html and 'name="nominate_q"' in html
    html = page_of(client_for(regional), url_of(need))
    assert 'name="to"' not in html  # regional officers follow, nominate, but do not decide
    assert escape("PT Logam Tegal") in html and "UD Knalpot Purbalingga" not in html  # its region only


def test_buyers_never_see_private_fields_of_candidates(client_for, buyer, ranked):
    client = client_for(buyer)
    html = page_of(client, url_of(ranked["need"]))
    response = client.get("/api/candidates/", {"need": ranked["need"].pk})
    body = response.content.decode()
    for text in (html, body):
        for secret in ("0283-555", "logam@tegal.test", "Pak Rahasia", "091.000", "0013000666091000", "0281-999"):
            assert secret not in text, secret
        assert "1500000000" not in text and "1.500.000.000" not in text


def test_status_filter_and_transitions_through_the_page(client_for, buyer, ranked):
    need = ranked["need"]
    client = client_for(buyer)
    switch(client, "en")
    tegal = candidate(need, ranked["tegal"])
    url = f"/matching/candidates/{tegal.pk}/transition/"
    response = client.post(url, {"to": "shortlisted", "next": url_of(need) + "?status=suggested"})
    assert response.status_code == 302 and response["Location"].endswith(f"?status=suggested#candidate-{tegal.pk}")
    tegal.refresh_from_db()
    assert tegal.status == "shortlisted"
    html = page_of(client, url_of(need), status="shortlisted")
    assert escape("PT Logam Tegal") in html and "UD Knalpot Purbalingga" not in html
    assert escape("PT Logam Tegal") not in page_of(client, url_of(need), status="suggested")

    # An invalid move and a decline without a reason: refused with a message, nothing changes.
    before = (CandidateEvent.objects.count(), ObjectChange.objects.count())
    response = client.post(url, {"to": "qualified"}, follow=True)
    assert "cannot move from" in response.content.decode()
    purbalingga = candidate(need, ranked["purbalingga"])
    client.post(f"/matching/candidates/{purbalingga.pk}/transition/", {"to": "declined", "reason": ""})
    assert (CandidateEvent.objects.count(), ObjectChange.objects.count()) == before
    purbalingga.refresh_from_db()
    assert purbalingga.status == "suggested"
    client.post(f"/matching/candidates/{purbalingga.pk}/transition/", {"to": "declined", "reason": "No ISO 9001"})
    purbalingga.refresh_from_db()
    assert purbalingga.status == "declined" and purbalingga.decline_reason == "No ISO 9001"
    assert "No ISO 9001" in page_of(client, url_of(need), status="declined")


def test_refresh_button(client_for, buyer, world):
    client = client_for(buyer)
    need = world["need"]
    html = page_of(client, url_of(need))
    assert "match-list" not in html  # nothing ranked yet: the empty state says to refresh
    response = client.post(f"/matching/needs/{need.pk}/candidates/refresh/", follow=True)
    assert response.status_code == 200 and Candidate.objects.filter(need=need).count() >= 2
    assert escape("PT Logam Tegal") in response.content.decode()


def test_nominate_through_the_page(client_for, regional, regional_other, world):
    need = world["need"]
    client = client_for(regional)
    html = page_of(client, url_of(need), nominate_q="logam")
    assert escape("PT Logam Tegal") in html and 'name="company"' in html
    html = page_of(client, url_of(need), nominate_q="cor klaten")
    assert 'value="{}"'.format(world["klaten"].pk) not in html  # not of its region
    nib = world["tegal"].nib
    assert 'value="{}"'.format(world["tegal"].pk) in page_of(client, url_of(need), nominate_q=nib[:6])
    assert 'name="company"' not in page_of(client, url_of(need), nominate_q="zzzq")
    response = client.post(
        f"/matching/needs/{need.pk}/candidates/nominate/", {"company": world["tegal"].pk, "note": "Kuat"}
    )
    assert response.status_code == 302
    c = candidate(need, world["tegal"])
    assert (c.status, c.origin) == ("shortlisted", "nomination")
    response = client_for(regional_other).post(
        f"/matching/needs/{need.pk}/candidates/nominate/", {"company": world["purbalingga"].pk}
    )
    assert response.status_code == 403


def test_the_funnel_counts_per_status(client_for, buyer, ranked):
    need = ranked["need"]
    services.transition(candidate(need, ranked["tegal"]), to="shortlisted", actor=buyer)
    response = client_for(buyer).get(url_of(need))
    funnel = {row["status"]: row["count"] for row in response.context["funnel"]}
    total = Candidate.objects.filter(need=need).count()
    assert funnel["shortlisted"] == 1 and funnel["suggested"] == total - 1 and funnel["declined"] == 0


def test_candidates_page_queries_do_not_grow(client_for, officer, world, buyer):
    need = world["need"]
    client = client_for(officer)
    services.refresh_candidates(need, actor=buyer, top_k=1)
    assert Candidate.objects.filter(need=need).count() == 1

    def count(url):
        client.get(url)  # warm caches (content types, the index)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    one = count(url_of(need))
    api_one = count(f"/api/candidates/?need={need.pk}")
    services.refresh_candidates(need, actor=buyer, top_k=3)
    for c in Candidate.objects.filter(need=need):
        services.transition(c, to="shortlisted", actor=buyer)
    assert Candidate.objects.filter(need=need).count() == 3
    assert count(url_of(need)) == one
    assert count(f"/api/candidates/?need={need.pk}") == api_one


# ------------------------------------------------------------------------------------ opportunities


def test_opportunities_show_gaps_in_indonesian_then_english(client_for, owner, world):
    client = client_for(owner)
    extra = make_need(world["buyer"], title="Exhaust bracket, IATF 16949", required=("iatf-16949",))
    [(_n, match)] = [(n, m) for n, m in index.opportunities(world["tegal"]) if n.pk == extra.pk]
    assert match.gaps, "the engine names the missing IATF 16949"
    html = page_of(client, "/matching/opportunities/")
    assert 'lang="id"' in html
    assert escape("Muffler assembly for 110cc scooter") in html and escape(extra.title) in html
    for gap in match.gaps:
        assert escape(gap.id) in html
    assert "/interest/" in html

    switch(client, "en")
    html = page_of(client, "/matching/opportunities/")
    assert 'lang="en"' in html
    for gap in match.gaps:
        assert escape(gap.en) in html
    assert "Express interest" in html


def test_opportunities_leave_out_needs_nothing_of_the_profile_touches(client_for, owner, outsider, world):
    pump = make_need(
        world["buyer"],
        title="Cast-iron pump housing",
        description="Pump housing in grey cast iron FC200, machined.",
        part_category="Pump",
        hs_code="8413.30",
        processes=("casting",),
        materials=("cast-iron",),
        required=(),
    )
    assert escape(pump.title) not in page_of(client_for(owner), "/matching/opportunities/")  # an exhaust maker
    assert escape(pump.title) in page_of(client_for(outsider), "/matching/opportunities/")  # the foundry


def test_express_interest_from_the_page(client_for, owner, colleague, world):
    need = world["need"]
    client = client_for(owner)
    response = client.post(f"/matching/needs/{need.pk}/interest/", {"note": "Kami siap kirim sampel"})
    assert response.status_code == 302 and response["Location"].endswith(f"#need-{need.pk}")
    c = candidate(need, world["tegal"])
    assert (c.origin, c.interest_note) == ("interest", "Kami siap kirim sampel")
    english = client_for(colleague)
    switch(english, "en")
    html = page_of(english, "/matching/opportunities/")
    assert "Interest sent" in html
    assert "Minat terkirim" in page_of(client_for(colleague), "/matching/opportunities/")  # Indonesian by default
    client_for(colleague).post(f"/matching/needs/{need.pk}/interest/", {"note": ""})
    assert Candidate.objects.filter(need=need).count() == 1  # idempotent


def test_the_buyer_sees_the_interest_note(client_for, owner, buyer, world):
    need = world["need"]
    services.express_interest(need, actor=owner, note="Kami siap kirim sampel")
    html = page_of(client_for(buyer), url_of(need))
    assert "Kami siap kirim sampel" in html


def test_opportunities_empty_states(client_for, owner, other_org, outsider, db):
    # No company profile at all: say how to get one.
    client = client_for(owner)
    switch(client, "en")
    html = page_of(client, "/matching/opportunities/")
    assert "no company profile yet" in html
    # A profile but no open need: say what to complete, link the profile.
    company = make_company("CV Cor Klaten", "33.10", org=other_org, verified=True, processes=["casting"])
    client = client_for(outsider)
    switch(client, "en")
    html = page_of(client, "/matching/opportunities/")
    assert "No open needs fit your profile yet" in html and f"/companies/{company.pk}/edit/" in html


def test_invited_need_appears_for_the_invited_ikm(client_for, owner, outsider, buyer, world):
    need = world["need"]
    set_visibility(need, Visibility.INVITATION)
    services.refresh_candidates(need, actor=buyer)
    assert escape(need.title) not in page_of(client_for(owner), "/matching/opportunities/")
    c = candidate(need, world["tegal"])
    services.transition(c, to="shortlisted", actor=buyer)
    services.transition(c, to="invited", actor=buyer)
    html = page_of(client_for(owner), "/matching/opportunities/")
    assert escape(need.title) in html
    assert escape(need.title) not in page_of(client_for(outsider), "/matching/opportunities/")


def test_opportunities_in_the_navigation_for_ikm_only(client_for, owner, buyer, officer, db):
    assert "/matching/opportunities/" in page_of(client_for(owner), "/")
    for user in (buyer, officer):
        assert "/matching/opportunities/" not in page_of(client_for(user), "/")


# ------------------------------------------------------------------------------------ API


def test_api_lists_and_filters_candidates(client_for, buyer, owner, outsider, ranked):
    need = ranked["need"]
    client = client_for(buyer)
    data = client.get("/api/candidates/", {"need": need.pk}).json()
    assert data["count"] == Candidate.objects.filter(need=need).count()
    first = data["results"][0]
    assert first["rank"] == 1 and first["explanation"]["gaps"] is not None and "decline_reason" in first
    services.transition(candidate(need, ranked["tegal"]), to="shortlisted", actor=buyer)
    data = client.get("/api/candidates/", {"need": need.pk, "status": "shortlisted"}).json()
    assert [r["company_name"] for r in data["results"]] == ["PT Logam Tegal"]
    # An IKM sees its own candidacy only, without the buyer's decline reason.
    mine = client_for(owner).get("/api/candidates/").json()
    assert [r["company_name"] for r in mine["results"]] == ["PT Logam Tegal"]
    assert "decline_reason" not in mine["results"][0]
    theirs = client_for(outsider).get("/api/candidates/").json()["results"]
    assert {r["company_name"] for r in theirs} <= {"CV Cor Klaten"}


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_transition(client_for, buyer, officer, regional, owner, outsider, ranked):
    need = ranked["need"]
    c = candidate(need, ranked["tegal"])
    url = f"/api/candidates/{c.pk}/transition/"
    assert post_json(client_for(regional), url, {"to": "shortlisted"}).status_code == 403
    assert post_json(client_for(owner), url, {"to": "shortlisted"}).status_code == 403
    assert post_json(client_for(outsider), url, {"to": "shortlisted"}).status_code == 404
    response = post_json(client_for(buyer), url, {"to": "invited"})
    assert response.status_code == 400 and "to" in response.json()
    response = post_json(client_for(buyer), url, {"to": "declined"})
    assert response.status_code == 400 and "reason" in response.json()
    assert post_json(client_for(buyer), url, {"to": "bogus"}).status_code == 400
    c.refresh_from_db()
    assert c.status == "suggested" and c.events.count() == 1
    response = post_json(client_for(buyer), url, {"to": "shortlisted", "note": "Good fit"})
    assert response.status_code == 200 and response.json()["status"] == "shortlisted"
    response = post_json(client_for(officer), url, {"to": "declined", "reason": "Capacity"})
    assert response.status_code == 200 and response.json()["decline_reason"] == "Capacity"
    assert [e.to_status for e in c.events.all()] == ["suggested", "shortlisted", "declined"]


def test_openapi_schema_has_no_warnings(tmp_path, db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/candidates/{id}/transition/" in schema and "name: need" in schema


# ------------------------------------------------------------------------------------ lexicon and weights


def test_lexicon_pages(client_for, officer, owner, db):
    client = client_for(officer)
    response = client.post(
        "/matching/lexicon/new/", {"term": " Per Daun ", "concept": "leaf-spring", "language": "slang", "note": ""}
    )
    assert response.status_code == 302
    entry = LexiconEntry.objects.get()
    assert entry.term == "per daun"
    response = client.post(
        "/matching/lexicon/new/", {"term": "PER DAUN", "concept": "leaf spring", "language": "id", "note": ""}
    )
    assert response.status_code == 200 and set(response.context["form"].errors) == {"term", "concept"}
    client.post(
        f"/matching/lexicon/{entry.pk}/edit/", {"term": "per daun", "concept": "leaf-spring", "language": "slang",
                                               "note": "Truck leaf springs"}
    )  # fmt: skip
    entry.refresh_from_db()
    assert entry.note == "Truck leaf springs"
    html = page_of(client_for(owner), "/matching/lexicon/", q="daun")
    assert "per daun" in html and f"/matching/lexicon/{entry.pk}/edit/" not in html
    client = client_for(officer)
    assert f"/matching/lexicon/{entry.pk}/edit/" in page_of(client, "/matching/lexicon/")
    client.post(f"/matching/lexicon/{entry.pk}/delete/")
    assert not LexiconEntry.objects.exists()
    assert ObjectChange.objects.filter(object_repr__startswith="per daun").count() == 3


def test_settings_page(client_for, officer, regional, db):
    page_of(client_for(regional), "/matching/settings/")
    client = client_for(officer)
    form = {name: getattr(MatchSettings.current(), name) for name in WEIGHTS}
    response = client.post("/matching/settings/", {**form, "text": "-1", "hard_penalty": "0.5"})
    assert response.status_code == 200 and "text" in response.context["form"].errors
    response = client.post("/matching/settings/", dict.fromkeys([*WEIGHTS, "hard_penalty"], "0"))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post("/matching/settings/", {**form, "text": "0.5", "hard_penalty": "2"})
    assert "hard_penalty" in response.context["form"].errors
    assert MatchSettings.current().text == pytest.approx(0.25)
    response = client.post("/matching/settings/", {**form, "text": "0.5", "hard_penalty": "0.3"})
    assert response.status_code == 302 and MatchSettings.current().text == pytest.approx(0.5)
    change = ObjectChange.objects.filter(object_id=str(MatchSettings.current().pk), action="update").get()
    assert change.before["text"] == pytest.approx(0.25) and change.after["text"] == pytest.approx(0.5)


def test_regional_candidate_outside_its_region_is_not_listed(client_for, regional, ranked):
    html = page_of(client_for(regional), url_of(ranked["need"]))
    assert "CV Cor Klaten" not in html


def test_unverified_candidate_is_not_linked_for_the_buyer(client_for, buyer, world):
    need = world["need"]
    hidden = make_company(
        "UD Knalpot Belum Verifikasi",
        TEGAL,
        processes=["pipe-bending", "welding"],
        materials=["steel-pipe"],
        products="Knalpot motor",
        monthly_capacity=6000,
    )
    services.nominate(need, hidden, actor=None)
    html = page_of(client_for(buyer), url_of(need))
    assert "UD Knalpot Belum Verifikasi" in html and f"/companies/{hidden.pk}/" not in html
