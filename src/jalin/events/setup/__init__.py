"""Every write of event setup, participation, invitations and meeting requests (issue #5 points 1 and 2).

Views, the API and the command line call these functions through this package (``from jalin.events import
setup``; ``setup.create_event(…)``). Each takes the acting user (``None`` is the system), checks
object-level permission first, runs in ``transaction.atomic`` and writes the change log.

One module per object:

- :mod:`.events` — the event, its workflow (draft → open → published → closed);
- :mod:`.sessions` — sessions and their slots;
- :mod:`.tables` — meeting tables and a buyer's fixed table;
- :mod:`.participants` — participation and representatives;
- :mod:`.meeting_requests` — meeting requests and the deadline that expires them;
- :mod:`.invitations` — invitations of matching candidates, and a buyer asking a candidate;
- :mod:`.base` — what they share (the statuses that count, the change log of an update).
"""

from .base import ACTIVE_PARTICIPANT, LIVE_REQUEST, PRIORITY_RANK, side_for
from .events import TRANSITIONS, create_event, delete_event, set_status, status_problems, update_event
from .invitations import InviteResult, invitable_candidates, invite, request_from_candidate
from .meeting_requests import (
    RequestResult,
    active_meeting,
    create_request,
    expire_if_due,
    expire_requests,
    request_problems,
    requests_closed,
    respond,
    withdraw,
)
from .participants import (
    add_participant,
    add_representative,
    cancel_participation,
    decline_invitation,
    delete_representative,
    register,
    update_participant,
)
from .sessions import delete_session, save_session
from .tables import add_table, add_tables, delete_table, rename_table, set_fixed_table

__all__ = [
    "ACTIVE_PARTICIPANT",
    "LIVE_REQUEST",
    "PRIORITY_RANK",
    "TRANSITIONS",
    "InviteResult",
    "RequestResult",
    "active_meeting",
    "add_participant",
    "add_representative",
    "add_table",
    "add_tables",
    "cancel_participation",
    "create_event",
    "create_request",
    "decline_invitation",
    "delete_event",
    "delete_representative",
    "delete_session",
    "delete_table",
    "expire_if_due",
    "expire_requests",
    "invitable_candidates",
    "invite",
    "register",
    "rename_table",
    "request_from_candidate",
    "request_problems",
    "requests_closed",
    "respond",
    "save_session",
    "set_fixed_table",
    "set_status",
    "side_for",
    "status_problems",
    "update_event",
    "update_participant",
    "withdraw",
]
