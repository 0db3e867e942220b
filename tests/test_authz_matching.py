"""Authorisation matrix over every matching route (pages and API) for every named user.

The world: the buyer (buyer_org) posted an open muffler need; the ranking holds the Tegal IKM (own_org,
in the regional officer's region) and others; Klaten (other_org) is an IKM outside it. A denied request
answers 403/404 (anonymous: the sign-in page, or 401/403 for the API) and changes none of the watched
tables nor the change log.
"""

from __future__ import annotations

import json

import pytest

from jalin.matching import index, services
from jalin.matching.models import Candidate, CandidateEvent, LexiconEntry, MatchSettings
from tests.authz import Case, assert_matrix
from tests.test_matching_workflow import build_matching

SIGNED_IN = frozenset({"officer", "regional", "regional_other", "owner", "colleague", "outsider", "buyer", "assessor"})
OFFICERS = frozenset({"officer", "regional", "regional_other"})
FOLLOWERS = OFFICERS | {"buyer"}  # who sees a need's candidates
DECIDERS = frozenset({"officer", "buyer"})  # who moves them
IKM = frozenset({"owner", "colleague", "outsider"})
WATCH = [Candidate, CandidateEvent, LexiconEntry, MatchSettings]


@pytest.fixture(autouse=True)
def _fresh_index():
    index.reset_index()
    yield
    index.reset_index()


@pytest.fixture
def objects(db, own_org, other_org, buyer_org, buyer):
    world = build_matching(own_org, other_org, buyer_org)
    services.refresh_candidates(world["need"], actor=buyer)
    world["candidate"] = Candidate.objects.get(need=world["need"], company=world["tegal"])
    world["entry"] = services.create_lexicon_entry(actor=None, term="per daun", concept="leaf-spring")
    world["settings"] = MatchSettings.current()
    return world


def cases() -> list[Case]:
    def need_url(suffix=""):
        return lambda o: f"/matching/needs/{o['need'].pk}/{suffix}"

    def entry_url(suffix):
        return lambda o: f"/matching/lexicon/{o['entry'].pk}/{suffix}"

    weights = {
        "text": "0.4",
        "processes": "0.2",
        "materials": "0.1",
        "certifications": "0.12",
        "capacity": "0.1",
        "distance": "0.08",
        "readiness": "0.1",
        "hard_penalty": "0.5",
    }
    return [
        # ---- a need's candidates
        Case("candidates", need_url("candidates/"), FOLLOWERS),
        Case("candidates filtered", lambda o: f"/matching/needs/{o['need'].pk}/candidates/?status=declined", FOLLOWERS),
        Case("candidates, nominee search", need_url("candidates/?nominate_q=logam"), FOLLOWERS),
        Case("candidates of a missing need", lambda o: "/matching/needs/999999/candidates/", frozenset()),
        Case("refresh POST", need_url("candidates/refresh/"), FOLLOWERS, method="post", data=lambda o: {}),
        Case(
            "nominate POST (Tegal IKM)",
            need_url("candidates/nominate/"),
            {"officer", "regional"},
            method="post",
            data=lambda o: {"company": o["tegal"].pk, "note": "Kuat"},
        ),
        Case(
            "nominate POST (Purbalingga IKM)",
            need_url("candidates/nominate/"),
            {"officer"},
            method="post",
            data=lambda o: {"company": o["purbalingga"].pk},
        ),
        Case(
            "transition POST",
            lambda o: f"/matching/candidates/{o['candidate'].pk}/transition/",
            DECIDERS,
            method="post",
            data=lambda o: {"to": "shortlisted"},
        ),
        Case(
            "decline POST",
            lambda o: f"/matching/candidates/{o['candidate'].pk}/transition/",
            DECIDERS,
            method="post",
            data=lambda o: {"to": "declined", "reason": "Capacity"},
        ),
        # ---- an IKM's opportunities
        Case("opportunities", lambda o: "/matching/opportunities/", IKM),
        Case("interest POST", need_url("interest/"), IKM, method="post", data=lambda o: {"note": "Kami siap"}),
        # ---- lexicon
        Case("lexicon", lambda o: "/matching/lexicon/", SIGNED_IN),
        Case("lexicon search", lambda o: "/matching/lexicon/?q=daun&language=slang", SIGNED_IN),
        Case("lexicon add", lambda o: "/matching/lexicon/new/", {"officer"}),
        Case(
            "lexicon add POST",
            lambda o: "/matching/lexicon/new/",
            {"officer"},
            method="post",
            data=lambda o: {"term": "knalpot", "concept": "exhaust", "language": "id", "note": ""},
        ),
        Case("lexicon edit", entry_url("edit/"), {"officer"}),
        Case(
            "lexicon edit POST",
            entry_url("edit/"),
            {"officer"},
            method="post",
            data=lambda o: {"term": "per daun", "concept": "leaf-spring", "language": "slang", "note": "truk"},
        ),
        Case("lexicon delete", entry_url("delete/"), {"officer"}),
        Case("lexicon delete POST", entry_url("delete/"), {"officer"}, method="post", data=lambda o: {}),
        # ---- weights
        Case("settings", lambda o: "/matching/settings/", OFFICERS),
        Case("settings POST", lambda o: "/matching/settings/", {"officer"}, method="post", data=lambda o: weights),
        # ---- API
        Case("API candidates", lambda o: "/api/candidates/", SIGNED_IN),
        Case(
            "API candidates of the need", lambda o: f"/api/candidates/?need={o['need'].pk}&status=suggested", SIGNED_IN
        ),
        Case(
            "API candidate",
            lambda o: f"/api/candidates/{o['candidate'].pk}/",
            {"officer", "regional", "buyer", "owner", "colleague"},
        ),
        Case(
            "API transition POST",
            lambda o: f"/api/candidates/{o['candidate'].pk}/transition/",
            DECIDERS,
            method="post",
            data=lambda o: json.dumps({"to": "shortlisted"}),
            content_type="application/json",
        ),
    ]


def test_authorisation_matrix(client_for, people, objects):
    checked = assert_matrix(client_for, people, cases(), objects=objects, watch=WATCH)
    assert checked == len(cases()) * len(people)


def test_every_matching_route_is_in_the_matrix(objects):
    """A route added to matching/urls.py (or an API action) without a matrix row fails here."""
    from django.urls import Resolver404, resolve

    from jalin.matching import urls

    covered = set()
    for case in cases():
        try:
            match = resolve(case.url(objects).split("?")[0])
        except Resolver404:
            continue
        covered.add(match.view_name)
    expected = {f"matching:{p.name}" for p in urls.urlpatterns}
    expected |= {"candidate-list", "candidate-detail", "candidate-transition"}
    assert expected <= covered, sorted(expected - covered)
