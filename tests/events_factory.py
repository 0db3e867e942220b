"""Small business-meeting events for tests, built on the named users of conftest (``people``).

``make_world(people)`` returns an event in Tegal (33.28, the regional officer's area) with two sessions of
three 20-minute slots, three tables, the buyer's company at a fixed table and two IKM companies — the
owner's (Tegal) and the outsider's (Klaten) — each with an accepted request to the buyer.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from jalin.companies.models import Company
from jalin.companies.services import DERIVED_FIELDS, derive
from jalin.events import services
from jalin.events.models import (
    Event,
    EventStatus,
    MeetingRequest,
    MeetingTable,
    Participant,
    ParticipantSide,
    Priority,
    RequestStatus,
    Session,
    Slot,
)
from jalin.regions.models import Region

_nib = itertools.count(9100000000001)


def company_for(org, *, kind="ikm", name=None, region_code=None, verified=True) -> Company:
    """The registry profile of ``org`` (made once)."""
    existing = Company.objects.filter(organisation=org).first()
    if existing:
        return existing
    company = Company.objects.create(
        kind=kind,
        organisation=org,
        legal_name=name or org.name,
        nib=str(next(_nib)),
        region=Region.objects.get(code=region_code) if region_code else org.region,
        verification="verified" if verified else "self",
    )
    derive(company)  # search text, classes and tokens, as every write through the services sets them
    company.save(update_fields=DERIVED_FIELDS)
    return company


def make_event(*, reference="LM-T", region_code="33.28", status=EventStatus.OPEN, tables=3, slots_per_session=3):
    day = datetime.date(2030, 3, 12)
    event = Event.objects.create(
        reference=reference,
        name=f"Temu bisnis {reference}",
        venue="Gedung Pertemuan",
        region=Region.objects.get(code=region_code),
        starts_on=day,
        ends_on=day,
        slot_minutes=20,
        max_meetings=10,
        status=status,
    )
    morning = datetime.time(9, 0)
    afternoon = datetime.time(13, 0)
    for name, start in (("Pagi", morning), ("Siang", afternoon)):
        end = (datetime.datetime.combine(day, start) + datetime.timedelta(minutes=20 * slots_per_session)).time()
        Session.objects.create(event=event, name=name, date=day, start=start, end=end)
    services.regenerate_slots(event)
    for i in range(1, tables + 1):
        MeetingTable.objects.create(event=event, label=f"Meja {i}", position=i)
    return event


def join(event, company, **fields) -> Participant:
    side = ParticipantSide.BUYER if company.kind == "industry" else ParticipantSide.IKM
    return Participant.objects.create(event=event, company=company, side=side, **fields)


def accepted(event, requester, recipient, priority=Priority.WANT, **fields) -> MeetingRequest:
    return MeetingRequest.objects.create(
        event=event,
        requester=requester,
        recipient=recipient,
        priority=priority,
        status=RequestStatus.ACCEPTED,
        **fields,
    )


@dataclass
class World:
    event: Event
    buyer: Participant
    own: Participant
    other: Participant
    own_request: MeetingRequest
    other_request: MeetingRequest

    @property
    def slots(self) -> list[Slot]:
        return list(Slot.objects.filter(event=self.event).order_by("index"))

    @property
    def tables(self) -> list[MeetingTable]:
        return list(MeetingTable.objects.filter(event=self.event).order_by("position"))


def make_world(people, **event_fields) -> World:
    event = make_event(**event_fields)
    buyer_company = company_for(people["buyer"].organisation, kind="industry")
    own_company = company_for(people["owner"].organisation)
    other_company = company_for(people["outsider"].organisation)
    first_table = MeetingTable.objects.filter(event=event).order_by("position").first()
    buyer = join(event, buyer_company, fixed_table=first_table)
    own = join(event, own_company)
    other = join(event, other_company)
    return World(
        event=event,
        buyer=buyer,
        own=own,
        other=other,
        own_request=accepted(event, own, buyer),
        other_request=accepted(event, other, buyer, priority=Priority.MUST),
    )
