"""The matching pages: a need's candidates and their workflow, an IKM's opportunities ("peluang"), the
lexicon and the weights. Every read goes through ``restrict``; every write through a service."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from jalin.companies.models import Company
from jalin.companies.queries import pick_companies
from jalin.core.pagination import paginate
from jalin.core.permissions import can, can_add
from jalin.core.views import next_url
from jalin.sourcing.models import Need

from . import queries, services
from .forms import InterestForm, LexiconEntryForm, MatchSettingsForm, NominateForm, TransitionForm
from .models import TRANSITIONS, CandidateOrigin, CandidateStatus, LexiconEntry, MatchSettings

#: What the button that moves a candidate to a status says.
ACTIONS = {
    CandidateStatus.SUGGESTED: gettext_lazy("Back to suggested"),
    CandidateStatus.SHORTLISTED: gettext_lazy("Shortlist"),
    CandidateStatus.INVITED: gettext_lazy("Invite"),
    CandidateStatus.MET: gettext_lazy("Mark as met"),
    CandidateStatus.EVALUATING: gettext_lazy("Start evaluation"),
    CandidateStatus.QUALIFIED: gettext_lazy("Qualify"),
    CandidateStatus.DECLINED: gettext_lazy("Decline"),
}


def action_label(current: str, target: str) -> str:
    if current == CandidateStatus.DECLINED and target == CandidateStatus.SHORTLISTED:
        return str(RECONSIDER)
    return str(ACTIONS[target])


RECONSIDER = gettext_lazy("Reconsider: shortlist again")

#: The funnel's order (declined last, apart).
FUNNEL = [s for s in CandidateStatus if s != CandidateStatus.DECLINED] + [CandidateStatus.DECLINED]

CANDIDATES_PER_PAGE = 50
NOMINEES = 10  # companies the nomination search shows


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def visible_need(user, pk: int) -> Need:
    return get_object_or_404(Need.objects.restrict(user, "view").select_related("buyer", "delivery_plant"), pk=pk)


def funnel(candidates) -> list[dict]:
    """Counts per status of ``candidates`` (one query), as rows of a horizontal bar chart; ``width`` is the
    bar's length in percent of the longest."""
    counts = dict(candidates.order_by().values_list("status").annotate(n=Count("pk")))
    top = max(counts.values(), default=0)
    return [
        {
            "status": status.value,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "width": max(1.5, round(100 * counts[status.value] / top, 1)) if counts.get(status.value) else 0,
        }
        for status in FUNNEL
    ]


# ------------------------------------------------------------------------------------ a need's candidates


def meeting_events(user, need) -> list:
    """Business-meeting events open for requests in which the need's buyer takes part (the events app comes
    later in the pipeline; matching does not import it)."""
    if not apps.is_installed("jalin.events"):
        return []
    event_model = apps.get_model("events", "Event")
    return list(
        event_model.objects.restrict(user, "view")
        .filter(
            status="open", participants__company_id=need.buyer_id, participants__status__in=["invited", "registered"]
        )
        .distinct()
        .order_by("starts_on")[:3]
    )


class NeedCandidatesView(LoginRequiredMixin, View):
    """The ranked candidates of one need: for its buyer and for officers (a regional officer sees the
    candidates of its region). Buyers see the candidates' public profiles only."""

    def get(self, request, pk):
        user = request.user
        need = visible_need(user, pk)
        if not (user.is_officer or services.is_buyer_of(user, need)):
            raise PermissionDenied(_("Only the buyer of this need and officers see its candidates."))
        all_candidates = queries.visible_candidates(user).filter(need=need)
        status = request.GET.get("status", "")
        if status not in CandidateStatus.values:
            status = ""
        shown = all_candidates.filter(status=status) if status else all_candidates
        shown = queries.with_events(
            queries.with_company_link(queries.ranked(shown.select_related("company__region__parent")), user)
        )
        page = paginate(request, shown, per_page=CANDIDATES_PER_PAGE)
        can_decide = services.may_decide(user, need)
        labels = queries.part_labels()
        rows = list(page.object_list)
        for candidate in rows:
            candidate.view = queries.explain(candidate.explanation, labels)
            candidate.actions = (
                [
                    {"to": s, "label": action_label(candidate.status, s)}
                    for s in TRANSITIONS[candidate.status]
                    if s != CandidateStatus.DECLINED
                ]
                if can_decide
                else []
            )
            candidate.can_decline = can_decide and CandidateStatus.DECLINED in TRANSITIONS[candidate.status]
        page.object_list = rows
        summary = all_candidates.aggregate(last=Max("scored_at"), total=Count("pk"))
        context = {
            "need": need,
            "page": page,
            "status": status,
            "statuses": CandidateStatus.choices,
            "funnel": funnel(all_candidates),
            "computed_at": summary["last"],
            "total": summary["total"],
            "can_decide": can_decide,
            "can_refresh": services.may_refresh(user, need),
            "can_nominate": user.is_officer,
            "is_officer": user.is_officer,
            "is_buyer": services.is_buyer_of(user, need),
            "next": request.get_full_path(),
        }
        context["meeting_events"] = meeting_events(user, need) if (can_decide or user.is_officer) else []
        if user.is_officer:
            context.update(self._nomination(request, need))
        return render(request, "matching/need_candidates.html", context)

    def _nomination(self, request, need) -> dict:
        """The IKM an officer may nominate, found as the registry searches (``companies.queries.pick_companies``)."""
        q = request.GET.get("nominate_q", "").strip()[:100]
        found = []
        if len(q) >= 2:
            nominable = services.nominable_companies(request.user).exclude(candidacies__need=need)
            found = pick_companies(nominable.select_related("region"), q, NOMINEES)
        return {"nominate_q": q, "nominate_found": found}


class RefreshView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        need = visible_need(request.user, pk)
        result = services.refresh_candidates(need, actor=request.user)
        messages.success(
            request,
            _(
                "Ranking refreshed: %(created)d new, %(updated)d updated, %(removed)d removed; "
                "%(total)d candidates in all."
            )
            % result.as_dict(),
        )
        return HttpResponseRedirect(next_url(request, reverse("matching:need_candidates", args=[need.pk])))


class TransitionView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        candidate = get_object_or_404(
            queries.visible_candidates(request.user).select_related("need__buyer", "company"), pk=pk
        )
        if not services.may_decide(request.user, candidate.need):
            raise PermissionDenied(_("Only the buyer of this need and programme officers move its candidates."))
        default = reverse("matching:need_candidates", args=[candidate.need_id])
        back = next_url(request, default) + f"#candidate-{candidate.pk}"
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return HttpResponseRedirect(back)
        try:
            services.transition(
                candidate,
                to=form.cleaned_data["to"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("%(company)s: %(status)s.")
                % {"company": candidate.company, "status": candidate.get_status_display()},
            )
        return HttpResponseRedirect(back)


class NominateView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        need = visible_need(request.user, pk)
        if not request.user.is_officer:
            raise PermissionDenied(_("Only officers nominate IKM."))
        back = next_url(request, reverse("matching:need_candidates", args=[need.pk]))
        form = NominateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a company to nominate."))
            return HttpResponseRedirect(back)
        company = get_object_or_404(Company.objects.restrict(request.user, "view"), pk=form.cleaned_data["company"])
        try:
            services.nominate(need, company, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("%(company)s is nominated and shortlisted.") % {"company": company})
        return HttpResponseRedirect(back)


# ------------------------------------------------------------------------------------ an IKM's opportunities


#: The parts that say what a company makes; a need none of them touches is no opportunity, however ready the
#: company is (readiness, capacity and distance alone would rank every need for every verified IKM).
CONTENT_PARTS = ("text", "processes", "materials")


def fits(match) -> bool:
    return any(match.parts.get(name, 0) > 0 for name in CONTENT_PARTS)


class OpportunitiesView(LoginRequiredMixin, View):
    """The open needs that fit the user's company, best first, with reasons and the gaps in the way."""

    def get(self, request):
        user = request.user
        if user.role != "ikm":
            raise PermissionDenied(_("Opportunities are shown to IKM staff for their own company."))
        company = services.company_of(user)
        context = {"company": company, "opportunities": [], "candidacies": [], "form": InterestForm()}
        if company is None:
            return render(request, "matching/opportunities.html", context)
        mine = list(
            queries.visible_candidates(user)
            .filter(company=company)
            .select_related("need__buyer")
            .order_by("-updated", "pk")
        )
        by_need = {c.need_id: c for c in mine}
        # What the company took part in: an engine suggestion nobody acted on is not a candidacy yet.
        candidacies = [
            c for c in mine if not (c.status == CandidateStatus.SUGGESTED and c.origin == CandidateOrigin.ENGINE)
        ]
        from . import index

        pairs = index.opportunities(company, top_k=20)
        # Re-read the needs through the user's own permission (and with what the page shows of them).
        needs = (
            Need.objects.restrict(user, "view")
            .select_related("buyer", "delivery_plant")
            .in_bulk([need.pk for need, _match in pairs])
        )
        labels = queries.part_labels()
        rows = [
            {
                "need": needs[need.pk],
                "score": match.score,
                "view": queries.explain(match.as_dict(), labels),
                "candidate": by_need.get(need.pk),
            }
            for need, match in pairs
            if need.pk in needs and fits(match)
        ]
        context.update(
            {
                "opportunities": rows,
                "candidacies": candidacies,
                "can_change_company": can(user, "change", company),
            }
        )
        return render(request, "matching/opportunities.html", context)


class InterestView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        need = visible_need(request.user, pk)
        back = next_url(request, reverse("matching:opportunities")) + f"#need-{need.pk}"
        form = InterestForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            services.express_interest(need, actor=request.user, note=note)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("Interest sent to the buyer of %(need)s. The buyer decides whether to shortlist you.")
                % {"need": need},
            )
        return HttpResponseRedirect(back)


# ------------------------------------------------------------------------------------ lexicon


class LexiconListView(LoginRequiredMixin, View):
    SORTS = {"term": "term", "concept": "concept", "language": "language"}

    def get(self, request):
        qs = LexiconEntry.objects.restrict(request.user, "view")
        q = request.GET.get("q", "").strip()[:80]
        if q:
            qs = qs.filter(Q(term__icontains=q) | Q(concept__icontains=q) | Q(note__icontains=q))
        language = request.GET.get("language", "")
        if language in {"id", "en", "slang"}:
            qs = qs.filter(language=language)
        else:
            language = ""
        return render(
            request,
            "matching/lexicon_list.html",
            {
                "page": paginate(request, qs.order_by("concept", "term"), per_page=100),
                "q": q,
                "language": language,
                "languages": LexiconEntry._meta.get_field("language").choices,
                "can_add": can_add(request.user, LexiconEntry),
            },
        )


class LexiconEditView(LoginRequiredMixin, View):
    """Add or edit a lexicon entry (programme officers); every change is logged."""

    def resolve(self, pk):
        if pk is None:
            if not can_add(self.request.user, LexiconEntry):
                raise PermissionDenied(_("Only programme officers maintain the lexicon."))
            return None
        entry = get_object_or_404(LexiconEntry.objects.restrict(self.request.user, "view"), pk=pk)
        if not can(self.request.user, "change", entry):
            raise PermissionDenied(_("Only programme officers maintain the lexicon."))
        return entry

    def _render(self, form, entry):
        return render(self.request, "matching/lexicon_form.html", {"form": form, "object": entry})

    def get(self, request, pk=None):
        entry = self.resolve(pk)
        return self._render(LexiconEntryForm(instance=entry, user=request.user), entry)

    def post(self, request, pk=None):
        entry = self.resolve(pk)
        form = LexiconEntryForm(request.POST, instance=entry, user=request.user)
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(reverse("matching:lexicon"))
        return self._render(form, entry)


class LexiconDeleteView(LoginRequiredMixin, View):
    def resolve(self, pk):
        entry = get_object_or_404(LexiconEntry.objects.restrict(self.request.user, "view"), pk=pk)
        if not can(self.request.user, "delete", entry):
            raise PermissionDenied(_("Only programme officers maintain the lexicon."))
        return entry

    def get(self, request, pk):
        return render(request, "matching/lexicon_delete.html", {"object": self.resolve(pk)})

    def post(self, request, pk):
        entry = self.resolve(pk)
        services.delete_lexicon_entry(entry, actor=request.user)
        messages.success(request, _("Deleted: %(object)s") % {"object": entry})
        return HttpResponseRedirect(reverse("matching:lexicon"))


# ------------------------------------------------------------------------------------ weights


class SettingsView(LoginRequiredMixin, View):
    """The programme's matching weights: officers view them, programme officers change them (logged)."""

    def _current(self):
        if not self.request.user.is_officer:
            raise PermissionDenied(_("Only officers see the matching weights."))
        return MatchSettings.current()

    def _render(self, form, current, can_change):
        from .engine.types import WEIGHTS

        total = sum(getattr(current, name) for name in WEIGHTS) or 1
        weights = [
            {
                "name": name,
                "label": MatchSettings._meta.get_field(name).verbose_name,
                "value": getattr(current, name),
                "share": round(100 * getattr(current, name) / total),
            }
            for name in WEIGHTS
        ]
        return render(
            self.request,
            "matching/settings.html",
            {
                "form": form,
                "object": current,
                "weights": weights,
                "can_change": can_change,
                "changelog_url": reverse("core:changelog")
                + f"?type={ContentType.objects.get_for_model(MatchSettings).pk}",
            },
        )

    def get(self, request):
        current = self._current()
        can_change = can(request.user, "change", current)
        form = MatchSettingsForm(instance=current, user=request.user) if can_change else None
        return self._render(form, current, can_change)

    def post(self, request):
        current = self._current()
        if not can(request.user, "change", current):
            raise PermissionDenied(_("Only programme officers change the matching weights."))
        form = MatchSettingsForm(request.POST, instance=MatchSettings.current(), user=request.user)
        if form.is_valid():
            try:
                form.save(actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The matching weights are saved. Refresh a need's ranking to apply them."))
                return HttpResponseRedirect(reverse("matching:settings"))
        return self._render(form, current, True)
