"""Agendas: the page, the printed PDF, the iCalendar file (parsed back), the QR code and table signage."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import translation
from icalendar import Calendar

from jalin.events import agenda as ag
from jalin.events import services
from jalin.events.models import MeetingStatus, Representative
from jalin.matching.models import Candidate
from jalin.sourcing.models import Need
from tests.events_factory import make_world

pytestmark = pytest.mark.django_db
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture
def world(people):
    world = make_world(people)
    slots, tables = world.slots, world.tables
    # Buyer at its fixed table: the owner's IKM in slot 1, the outsider's in slot 3.
    world.own_meeting = services.book(world.own_request, slots[0], tables[0], actor=None)
    world.other_meeting = services.book(world.other_request, slots[2], tables[0], actor=None)
    Representative.objects.create(participant=world.buyer, name="Bu Ratna Dewi", position="Purchasing")
    Representative.objects.create(participant=world.own, name="Pak Slamet", position="Direktur")
    return world


def agenda_url(world, participant, suffix="/"):
    return f"/events/{world.event.pk}/agenda/{participant.pk}{suffix}"


# ------------------------------------------------------------------------------------------- helpers


def test_agenda_rows_merge_free_slots_into_breaks(world):
    days = ag.agenda(world.own)
    assert [d.session.name for d in days] == ["Pagi", "Siang"]
    morning = days[0].rows
    assert not morning[0].is_break and morning[0].other == world.buyer
    assert morning[0].label == "09.00–09.20 WIB"
    assert morning[1].is_break and morning[1].slots == 2 and morning[1].label == "09.20–10.00 WIB"
    assert days[1].rows[0].is_break and days[1].rows[0].slots == 3
    assert days[0].meetings == 1


def test_zone_labels(world):
    event = world.event
    for zone, label in (("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT")):
        event.timezone = zone
        assert ag.zone_label(event) == label


def test_released_meeting_stays_on_its_line_and_slot_shows_free(world):
    services.mark_no_show(world.own_meeting, actor=None, participant=world.own)
    rows = ag.agenda(world.own)[0].rows
    assert rows[0].meeting.status == MeetingStatus.NO_SHOW and not rows[0].active
    # The slot is free again: the released line is followed by a break covering all three slots.
    assert rows[1].is_break and rows[1].label == "09.00–10.00 WIB"


# ---------------------------------------------------------------------------------------------- page


def test_owner_sees_its_agenda_with_meeting_table_and_representatives(world, people, client_for):
    response = client_for(people["owner"]).get(agenda_url(world, world.own))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.buyer.company.legal_name in html
    assert "Meja 1" in html and "09.00–09.20 WIB" in html
    assert "Bu Ratna Dewi" in html  # who sits at the other side of the table
    assert "<svg" in html  # the check-in QR code
    assert f"/events/{world.event.pk}/agenda/{world.own.pk}.pdf" in html
    assert f"/events/{world.event.pk}/agenda/{world.own.pk}.ics" in html


def test_agenda_shows_the_need_it_is_about(world, people, client_for):
    need = Need.objects.create(
        buyer=world.buyer.company, reference="N-AG-1", title="Bracket knalpot", status="open", visibility="open"
    )
    world.own_request.candidate = Candidate.objects.create(need=need, company=world.own.company)
    world.own_request.save()
    html = client_for(people["owner"]).get(agenda_url(world, world.own)).content.decode()
    assert "N-AG-1" in html and "Bracket knalpot" in html


def test_my_agenda_redirects_to_own_and_404_without_participation(world, people, client_for):
    response = client_for(people["colleague"]).get(f"/events/{world.event.pk}/my-agenda/")
    assert response.status_code == 302 and response["Location"].endswith(agenda_url(world, world.own))
    assert client_for(people["assessor"]).get(f"/events/{world.event.pk}/my-agenda/").status_code == 404


def test_co_participant_and_outsider_cannot_see_someone_elses_agenda(world, people, client_for):
    assert client_for(people["outsider"]).get(agenda_url(world, world.own)).status_code == 404
    assert client_for(people["buyer"]).get(agenda_url(world, world.own)).status_code == 404
    assert client_for(people["regional_other"]).get(agenda_url(world, world.own)).status_code == 404
    assert client_for(people["officer"]).get(agenda_url(world, world.own)).status_code == 200
    assert client_for(people["regional"]).get(agenda_url(world, world.other)).status_code == 200


def test_empty_agenda(people, client_for):
    world = make_world(people)
    html = client_for(people["owner"]).get(agenda_url(world, world.own)).content.decode()
    assert 'class="empty"' in html


# ----------------------------------------------------------------------------------------------- PDF


def test_pdf_is_a_real_pdf_with_a_good_name(world, people, client_for):
    response = client_for(people["buyer"]).get(agenda_url(world, world.buyer, ".pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content.rstrip().endswith(b"%%EOF")
    name = ag.filename(world.event, world.buyer, "pdf")
    assert name == "agenda-LM-T-pt-pembeli-otomotif.pdf"
    assert f'filename="{name}"' in response["Content-Disposition"]


def test_pdf_renders_indonesian_text_on_at_least_one_page(world, people, rf):
    with translation.override("id"):
        render_indonesian_agenda_pdf(world, people, rf)


def render_indonesian_agenda_pdf(world, people, rf):
    from weasyprint import HTML

    from jalin.events.views_day import AgendaPdfView

    request = rf.get("/")
    request.user = people["owner"]
    view = AgendaPdfView()
    view.setup(request, pk=world.event.pk, participant=world.own.pk)
    view.event, view.can_manage, view.participant = world.event, False, world.own
    view.subject = view.load_subject()
    context = view.agenda_context()
    context["qr_uri"] = ag.qr_data_uri(context["code_url"])
    from django.template.loader import render_to_string

    html = render_to_string("events/agenda_print.html", context)
    assert "Agenda" in html and "Selasa, 12 Maret 2030" in html  # Indonesian date from Django's locale
    document = HTML(string=html, base_url="about:blank", url_fetcher=ag.no_network_fetcher()).render()
    assert len(document.pages) >= 1
    # Text laid out on the page: the company name is in the boxes WeasyPrint drew.
    texts = []

    def walk(box):
        if hasattr(box, "text"):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    walk(document.pages[0]._page_box)
    laid_out = " ".join(texts)
    assert world.buyer.company.legal_name.split()[-1] in laid_out
    assert "Selasa" in laid_out


def test_printing_never_fetches_from_the_network():
    fetcher = ag.no_network_fetcher()
    for url in ("https://example.com/font.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher(url)
    assert fetcher("data:text/plain,hi").read() == b"hi"


# ---------------------------------------------------------------------------------------------- .ics


def test_ics_parses_back_with_events_times_and_zone(world, people, client_for):
    services.mark_no_show(world.other_meeting, actor=None, participant=world.other)
    response = client_for(people["buyer"]).get(agenda_url(world, world.buyer, ".ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"] and ".ics" in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    assert str(cal["METHOD"]) == "PUBLISH" and "Jalin" in str(cal["PRODID"])
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"meeting-{world.own_meeting.pk}@jalin", f"meeting-{world.other_meeting.pk}@jalin"}
    held = events[f"meeting-{world.own_meeting.pk}@jalin"]
    start, end = held.decoded("DTSTART"), held.decoded("DTEND")
    assert start == datetime.datetime(2030, 3, 12, 9, 0, tzinfo=JAKARTA)
    assert end - start == datetime.timedelta(minutes=20)
    assert held["DTSTART"].params["TZID"] == "Asia/Jakarta"
    with translation.override("en"):  # the client asks for English (tests/events/conftest.py)
        summary = translation.gettext("Business meeting: %(company)s") % {"company": world.own.company.legal_name}
    assert str(held["SUMMARY"]) == summary
    assert "Gedung Pertemuan" in str(held["LOCATION"]) and "Meja 1" in str(held["LOCATION"])
    assert str(held["STATUS"]) == "CONFIRMED"
    cancelled = events[f"meeting-{world.other_meeting.pk}@jalin"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(held["SEQUENCE"])


def test_ics_uid_is_stable_and_description_names_the_need(world, people, client_for):
    need = Need.objects.create(
        buyer=world.buyer.company, reference="N-AG-2", title="Pipa knalpot", status="open", visibility="open"
    )
    world.own_request.candidate = Candidate.objects.create(need=need, company=world.own.company)
    world.own_request.save()
    client = client_for(people["owner"])
    first = Calendar.from_ical(client.get(agenda_url(world, world.own, ".ics")).content)
    again = Calendar.from_ical(client.get(agenda_url(world, world.own, ".ics")).content)
    assert [str(e["UID"]) for e in first.walk("VEVENT")] == [str(e["UID"]) for e in again.walk("VEVENT")]
    (event,) = first.walk("VEVENT")
    assert "N-AG-2" in str(event["DESCRIPTION"]) and "Pipa knalpot" in str(event["DESCRIPTION"])
    assert "Bu Ratna Dewi" in str(event["DESCRIPTION"])


def test_ics_without_meetings_is_still_valid(people, client_for):
    world = make_world(people)
    cal = Calendar.from_ical(client_for(people["owner"]).get(agenda_url(world, world.own, ".ics")).content)
    assert cal.walk("VEVENT") == []


# ------------------------------------------------------------------------------------------------ QR


def test_qr_svg_encodes_the_checkin_url(world, people, client_for):
    response = client_for(people["owner"]).get(agenda_url(world, world.own, "/qr.svg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<svg") or b"<svg" in response.content[:200]
    assert client_for(people["outsider"]).get(agenda_url(world, world.own, "/qr.svg")).status_code == 404


def test_qr_payload_is_the_absolute_checkin_url(world):
    import segno

    url = f"http://testserver/events/{world.event.pk}/checkin/{world.own.checkin_code}/"
    assert ag.qr_svg(url) == segno.make(url, error="m").svg_inline(scale=4, dark="#111a24", light="#ffffff", border=4)


# ------------------------------------------------------------------------------------------- signage


def test_signage_lists_every_slot_per_table(world, people, client_for):
    response = client_for(people["regional"]).get(f"/events/{world.event.pk}/signage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"Meja {i}" in html for i in (1, 2, 3))
    assert world.own.company.legal_name in html
    one = client_for(people["officer"]).get(f"/events/{world.event.pk}/signage/?table={world.tables[1].pk}")
    assert "Meja 2" in one.content.decode() and 'class="sign-label">Meja 1' not in one.content.decode()
    signs = ag.signage(world.event, world.tables)
    assert signs[0].meetings == 2 and len(signs[0].rows) == 6 and signs[0].fixed == world.buyer
    assert signs[1].meetings == 0


def test_signage_pdf_and_bad_table(world, people, client_for):
    client = client_for(people["officer"])
    response = client.get(f"/events/{world.event.pk}/signage.pdf?table={world.tables[0].pk}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "Meja-1" in response["Content-Disposition"]
    assert client.get(f"/events/{world.event.pk}/signage.pdf").content.startswith(b"%PDF")
    assert client.get(f"/events/{world.event.pk}/signage/?table=999999").status_code == 404
    assert client_for(people["owner"]).get(f"/events/{world.event.pk}/signage/").status_code == 403
