"""What the setup services share: the statuses that count, the change log of an update, refusing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jalin.companies.models import Company, CompanyKind
from jalin.core.models import ChangeAction
from jalin.core.services import log_change, snapshot

from ..models import ParticipantSide, ParticipantStatus, Priority, RequestStatus

#: Statuses in which a participant takes part (may be asked, scheduled, listed to others).
ACTIVE_PARTICIPANT = (ParticipantStatus.INVITED, ParticipantStatus.REGISTERED)

#: Statuses in which a request still counts (it may become, or is, a meeting).
LIVE_REQUEST = (RequestStatus.PENDING, RequestStatus.ACCEPTED)

PRIORITY_RANK = {Priority.MUST: 3, Priority.WANT: 2, Priority.MAYBE: 1}


def deny(message: str | None = None):
    raise PermissionDenied(message or _("You do not have permission to do this."))


def log_update(actor, obj, before: dict) -> None:
    after = snapshot(obj)
    if after != before:
        log_change(actor=actor, action=ChangeAction.UPDATE, obj=obj, before=before, after=after)


def side_for(company: Company) -> str:
    """A large industry takes part as a buyer, an IKM as an IKM."""
    return ParticipantSide.BUYER if company.kind == CompanyKind.INDUSTRY else ParticipantSide.IKM
