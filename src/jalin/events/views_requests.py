"""Meeting request pages: a participant's incoming and outgoing requests (officers: all of them), asking
for a meeting, answering, withdrawing, and asking a candidate from the matching pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from jalin.core.pagination import paginate
from jalin.core.permissions import can
from jalin.core.views import sort_queryset

from . import setup
from .filters import RequestFilter
from .forms_setup import DeclineForm, RequestForm
from .models import ACTIVE_MEETING, Meeting, MeetingRequest, Participant, Priority, RequestStatus
from .views_base import EventMixin, back, error_text

SORTS = {"created": "created", "priority": "priority", "status": "status", "from": "requester__company__legal_name"}


class RequestListView(EventMixin, View):
    party_only = True
    active_tab = "requests"

    def get(self, request, pk):
        event = self.event
        expired = setup.expire_if_due(event)
        if expired:
            messages.info(request, _("%(n)s unanswered requests expired: requests are closed.") % {"n": expired})
        base = MeetingRequest.objects.restrict(request.user, "view").filter(event=event)
        own = self.participant
        box = request.GET.get("box", "")
        if own is None:
            box = "all"
        elif box not in ("in", "out", "all") or (box == "all" and not self.can_manage):
            box = "all" if self.can_manage else "in"
        if box == "in":
            base = base.filter(recipient=own)
        elif box == "out":
            base = base.filter(requester=own)
        counts = dict(base.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        found = RequestFilter(request.GET, base)
        qs = found.qs.select_related("requester__company", "recipient__company", "candidate__need")
        qs, sort = sort_queryset(request, qs, SORTS, "-created")
        page = paginate(request, qs)
        page.object_list = list(page.object_list)
        meetings = {
            m.request_id: m
            for m in Meeting.objects.filter(
                request__in=[r.pk for r in page.object_list], status__in=ACTIVE_MEETING
            ).select_related("slot", "table")
        }
        for r in page.object_list:
            r.meeting = meetings.get(r.pk)
            r.can_respond = (self.can_manage or (own is not None and r.recipient_id == own.pk)) and r.status in (
                RequestStatus.PENDING,
                RequestStatus.ACCEPTED,
            )
            r.can_withdraw = (self.can_manage or (own is not None and r.requester_id == own.pk)) and r.status in (
                setup.LIVE_REQUEST
            )
        over_cap = None
        if own is not None:
            accepted = MeetingRequest.objects.filter(
                Q(requester=own) | Q(recipient=own), status=RequestStatus.ACCEPTED
            ).count()
            if accepted > own.cap:
                over_cap = {"accepted": accepted, "cap": own.cap}
        return render(
            request,
            "events/request_list.html",
            self.event_context(
                page=page,
                sort=sort,
                box=box,
                counts=[(value, label, counts.get(value, 0)) for value, label in RequestStatus.choices],
                total=sum(counts.values()),
                filters=found.values(),
                statuses=RequestStatus.choices,
                priorities=Priority.choices,
                decline_form=DeclineForm(),
                over_cap=over_cap,
                requests_closed=setup.requests_closed(event),
            ),
        )


class RequestAddView(EventMixin, View):
    party_only = True
    active_tab = "requests"

    def _requester(self) -> Participant:
        """The requester: the user's own participation; an officer may ask on behalf of ``?from=``."""
        raw = self.request.POST.get("from") or self.request.GET.get("from") or ""
        if self.can_manage and raw.isdigit():
            return get_object_or_404(Participant, pk=int(raw), event=self.event)
        if self.participant is None:
            raise PermissionDenied(_("Only participants ask for meetings; officers choose whom they ask for."))
        return self.participant

    def _recipient(self) -> Participant:
        raw = self.request.POST.get("to") or self.request.GET.get("to") or ""
        return get_object_or_404(
            Participant.objects.restrict(self.request.user, "view").filter(event=self.event).select_related("company"),
            pk=int(raw) if raw.isdigit() else 0,
        )

    def _candidate(self):
        from jalin.matching.models import Candidate

        raw = self.request.POST.get("candidate") or self.request.GET.get("candidate") or ""
        if not raw.isdigit():
            return None
        return Candidate.objects.restrict(self.request.user, "view").filter(pk=int(raw)).first()

    def _render(self, form, requester, recipient, status=200):
        problems = setup.request_problems(requester, recipient)
        if setup.requests_closed(self.event):
            problems.append(_("Meeting requests for this event are closed."))
        accepted = MeetingRequest.objects.filter(
            Q(requester=requester) | Q(recipient=requester), status=RequestStatus.ACCEPTED
        ).count()
        return render(
            self.request,
            "events/request_form.html",
            self.event_context(
                form=form,
                requester=requester,
                recipient=recipient,
                candidate=self._candidate(),
                problems=problems,
                accepted=accepted,
                reverse_request=MeetingRequest.objects.filter(
                    requester=recipient, recipient=requester, status=RequestStatus.PENDING
                ).first(),
            ),
            status=status,
        )

    def get(self, request, pk):
        requester, recipient = self._requester(), self._recipient()
        if not can(request.user, "change", requester):
            raise PermissionDenied
        return self._render(RequestForm(), requester, recipient)

    def post(self, request, pk):
        requester, recipient = self._requester(), self._recipient()
        if not can(request.user, "change", requester):
            raise PermissionDenied
        form = RequestForm(request.POST)
        if form.is_valid():
            try:
                result = setup.create_request(
                    requester,
                    recipient,
                    actor=request.user,
                    priority=form.cleaned_data["priority"],
                    message=form.cleaned_data["message"],
                    candidate=self._candidate(),
                )
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                if result.mutual:
                    messages.success(
                        request,
                        _("%(company)s had already asked to meet you: the meeting is agreed (mutual).")
                        % {"company": recipient.company},
                    )
                else:
                    messages.success(
                        request,
                        _("Request sent to %(company)s; it waits for their answer.") % {"company": recipient.company},
                    )
                return back(request, reverse("events:requests", args=[pk]) + "?box=out")
        return self._render(form, requester, recipient, status=400)


class RequestFromCandidateView(EventMixin, View):
    """POST from a candidate page: the buyer of the need (or an officer) asks the candidate IKM to meet."""

    http_method_names = ["post"]

    def post(self, request, pk, candidate):
        from jalin.matching.models import Candidate

        item = get_object_or_404(
            Candidate.objects.restrict(request.user, "view").select_related("need", "company"), pk=candidate
        )
        priority = request.POST.get("priority", Priority.WANT)
        try:
            result = setup.request_from_candidate(self.event, item, actor=request.user, priority=priority)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if result.mutual:
                messages.success(
                    request,
                    _("%(company)s had already asked to meet you: the meeting is agreed (mutual).")
                    % {"company": item.company},
                )
            else:
                messages.success(request, _("Request sent to %(company)s.") % {"company": item.company})
        return back(request, reverse("events:requests", args=[pk]))


class RequestActionMixin(EventMixin):
    http_method_names = ["post"]
    action_name = "view"

    def load(self) -> MeetingRequest:
        req = get_object_or_404(
            MeetingRequest.objects.restrict(self.request.user, "view")
            .filter(event=self.event)
            .select_related("requester__company", "recipient__company"),
            pk=self.kwargs["request_id"],
        )
        if not can(self.request.user, self.action_name, req):
            raise PermissionDenied(_("You do not have permission to do this."))
        return req


class RequestRespondView(RequestActionMixin, View):
    action_name = "respond"

    def post(self, request, pk, request_id):
        req = self.load()
        answer = request.POST.get("answer", "")
        if answer not in ("accept", "decline"):
            messages.error(request, _("Choose accept or decline."))
            return back(request, reverse("events:requests", args=[pk]))
        had_meeting = setup.active_meeting(req) is not None
        try:
            setup.respond(req, actor=request.user, accept=answer == "accept", reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            on_behalf = self.participant is None or self.participant.pk != req.recipient_id
            if answer == "accept" and on_behalf:
                messages.success(
                    request,
                    _("Accepted on behalf of %(recipient)s: the request of %(company)s.")
                    % {"recipient": req.recipient.company, "company": req.requester.company},
                )
            elif answer == "accept":
                messages.success(
                    request, _("Accepted: you will meet %(company)s.") % {"company": req.requester.company}
                )
            else:
                text = _("Declined the request of %(company)s.") % {"company": req.requester.company}
                if had_meeting:
                    text += " " + _("Its meeting was cancelled.")
                messages.success(request, text)
        return back(request, reverse("events:requests", args=[pk]))


class RequestWithdrawView(RequestActionMixin, View):
    action_name = "withdraw"

    def post(self, request, pk, request_id):
        req = self.load()
        had_meeting = setup.active_meeting(req) is not None
        try:
            setup.withdraw(req, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if self.participant is not None and self.participant.pk == req.requester_id:
                text = _("Withdrawn: your request to %(company)s.") % {"company": req.recipient.company}
            else:
                text = _("Withdrawn: the request of %(requester)s to %(company)s.") % {
                    "requester": req.requester.company,
                    "company": req.recipient.company,
                }
            if had_meeting:
                text += " " + _("Its meeting was cancelled.")
            messages.success(request, text)
        return back(request, reverse("events:requests", args=[pk]) + "?box=out")
