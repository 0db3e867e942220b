"""Event statistics on a hand-built world: exact figures, the chart data, the CSV and the empty state."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.utils import timezone

from jalin.events import outcomes, services
from jalin.events.models import EventStatus, MeetingRequest, Priority, RequestStatus
from jalin.events.stats import event_stats
from tests.events_factory import company_for, join, make_event, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, regional_other, assessor):
    """Buyer + 3 IKM; 5 requests: 3 accepted (one mutual), 1 declined, 1 pending; 3 meetings: held (both sides
    answered: sample / none), no-show (rescheduled and held: MoU from the buyer), and the third still scheduled."""
    w = make_world(people, status=EventStatus.PUBLISHED)
    third = join(w.event, company_for(assessor.organisation, name="PT Ketiga"))
    third.checked_in_at = timezone.now()
    third.save()
    mutual = MeetingRequest.objects.create(
        event=w.event,
        requester=w.buyer,
        recipient=third,
        priority=Priority.MUST,
        status=RequestStatus.ACCEPTED,
        mutual=True,
    )
    fourth = join(w.event, company_for(regional_other.organisation, name="PT Keempat"))
    MeetingRequest.objects.create(event=w.event, requester=fourth, recipient=w.buyer, status=RequestStatus.DECLINED)
    MeetingRequest.objects.create(event=w.event, requester=w.buyer, recipient=fourth, priority=Priority.MAYBE)
    slots, tables = w.slots, w.tables
    w.held = services.book(w.own_request, slots[0], tables[0], actor=None)
    services.mark_held(w.held, actor=None)
    w.missed = services.book(w.other_request, slots[1], tables[0], actor=None)
    services.mark_no_show(w.missed, actor=None, participant=w.other)
    w.again = services.reschedule(w.missed, actor=None, slot=slots[3], after=slots[0].starts_at)
    services.mark_held(w.again, actor=None)
    w.pending = services.book(mutual, slots[2], tables[0], actor=None)
    outcomes.record_outcome(w.held, actor=None, participant=w.own, interest="high", next_step="sample")
    outcomes.record_outcome(w.held, actor=None, participant=w.buyer, interest="low", next_step="none")
    outcomes.record_outcome(w.again, actor=None, participant=w.buyer, interest="high", next_step="mou")
    return w


def test_exact_figures(world):
    s = event_stats(world.event)
    assert (s.buyers, s.ikm, s.checked_in) == (1, 4, 1)
    assert s.requests == 5
    assert s.by_priority == {"want": 2, "must": 2, "maybe": 1}
    assert s.mutual == 1
    assert (s.accepted, s.answered, s.acceptance_rate) == (3, 4, 75.0)
    assert (s.on_schedule, s.held, s.no_show, s.scheduled, s.rescheduled) == (4, 2, 1, 1, 1)
    assert s.no_show_rate == 33.3
    assert s.outcomes == {0: {"sample": 1, "none": 1, "mou": 1}}
    assert [(key, n) for key, _label, n in s.funnel] == [
        ("requested", 5),
        ("accepted", 3),
        ("scheduled", 3),
        ("held", 2),
        ("positive", 2),
    ]
    per_slot = [(row["index"], row["held"], row["no_show"], row["scheduled"]) for row in s.per_slot]
    assert per_slot == [(1, 1, 0, 0), (2, 0, 1, 0), (3, 0, 0, 1), (4, 1, 0, 0), (5, 0, 0, 0), (6, 0, 0, 0)]


def test_follow_up_outcomes_are_counted_per_round(world, officer):
    outcomes.open_follow_up(world.event, actor=officer)
    world.event.refresh_from_db()
    outcomes.record_outcome(world.held, actor=None, participant=world.own, interest="high", next_step="quotation")
    s = event_stats(world.event)
    assert s.outcomes == {0: {"sample": 1, "none": 1, "mou": 1}, 1: {"quotation": 1}}
    rows = {row["step"]: row["rounds"] for row in s.outcome_rows()}
    assert rows == {"sample": [1, 0], "quotation": [0, 1], "mou": [1, 0], "none": [1, 0]}


def test_page_embeds_the_chart_data_and_tables(world, client_for, officer):
    page = client_for(officer).get(f"/events/{world.event.pk}/stats/")
    assert page.status_code == 200
    html = page.content.decode()
    data = json.loads(html.split('<script id="stats-data" type="application/json">')[1].split("</script>")[0])
    assert data["funnel"]["values"] == [5, 3, 3, 2, 2]
    assert data["outcomes"]["labels"] == ["Sample / evaluation", "Quotation", "MoU intention", "None"]
    assert [s["values"] for s in data["outcomes"]["series"]] == [[1, 0, 1, 1]]  # no follow-up round yet
    assert [s["key"] for s in data["slots"]["series"]] == ["held", "no_show", "scheduled"]
    assert data["slots"]["series"][0]["values"] == [1, 0, 0, 1, 0, 0]
    for canvas in ("chart-funnel", "chart-outcomes", "chart-slots"):
        assert f'id="{canvas}"' in html
    for table in ("table-funnel", "table-outcomes", "table-slots"):
        assert f'id="{table}"' in html
    assert "vendor/chart.js/dist/chart.umd.min.js" in html
    assert re.search(r"75[.,]0%", html) and re.search(r"33[.,]3%", html)  # decimal separator of the language


def test_csv(world, client_for, officer):
    response = client_for(officer).get(f"/events/{world.event.pk}/stats.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="LM-T-stats.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["event", "section", "figure", "value"]
    values = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert values[("requests", "acceptance_rate_percent")] == "75.0"
    assert values[("meetings", "no_show_rate_percent")] == "33.3"
    assert values[("outcomes_round_0", "mou")] == "1"
    assert values[("funnel", "positive")] == "2"
    assert values[("slot_2", "no_show")] == "1"


def test_empty_event(client_for, officer):
    event = make_event(reference="LM-E")
    s = event_stats(event)
    assert s.empty and s.acceptance_rate is None and s.no_show_rate is None
    page = client_for(officer).get(f"/events/{event.pk}/stats/")
    assert page.status_code == 200 and page.context["stats"].empty
    assert "chart.umd" not in page.content.decode()
    assert client_for(officer).get(f"/events/{event.pk}/stats.csv").status_code == 200
