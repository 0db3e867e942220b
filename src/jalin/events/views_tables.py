"""The tables page of an event (officers): add one or many, rename, delete, and a buyer's fixed table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from . import setup
from .forms_setup import FixedTableForm, TableForm, TablesForm
from .models import ACTIVE_MEETING, MeetingTable, Participant
from .views_base import EventMixin, error_text


class TablesView(EventMixin, View):
    manager_only = True
    active_tab = "detail"

    def _render(self, *, one=None, many=None, fixed=None, status=200):
        tables = list(
            MeetingTable.objects.filter(event=self.event).annotate(
                n_meetings=Count("meetings", filter=Q(meetings__status__in=ACTIVE_MEETING))
            )
        )
        holders = {
            p.fixed_table_id: p
            for p in Participant.objects.filter(event=self.event, fixed_table__isnull=False).select_related("company")
        }
        for table in tables:
            table.holder = holders.get(table.pk)
        return render(
            self.request,
            "events/table_list.html",
            self.event_context(
                tables=tables,
                one_form=one or TableForm(),
                many_form=many or TablesForm(),
                fixed_form=fixed or FixedTableForm(event=self.event),
            ),
            status=status,
        )

    def get(self, request, pk):
        return self._render()

    def post(self, request, pk):
        action = request.POST.get("action", "")
        here = HttpResponseRedirect(reverse("events:tables", args=[pk]))
        if action == "add":
            form = TableForm(request.POST)
            if form.is_valid():
                try:
                    table = setup.add_table(self.event, actor=request.user, label=form.cleaned_data["label"])
                except ValidationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, _("Added: %(object)s") % {"object": table})
                    return here
            return self._render(one=form, status=400)
        if action == "add_many":
            form = TablesForm(request.POST)
            if form.is_valid():
                try:
                    made = setup.add_tables(self.event, actor=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(
                        request,
                        _("Added %(n)s tables: %(first)s to %(last)s.")
                        % {"n": len(made), "first": made[0], "last": made[-1]},
                    )
                    return here
            return self._render(many=form, status=400)
        if action == "fixed":
            form = FixedTableForm(request.POST, event=self.event)
            if form.is_valid():
                try:
                    setup.set_fixed_table(
                        form.cleaned_data["participant"], actor=request.user, table=form.cleaned_data["table"]
                    )
                except ValidationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, _("Saved: %(object)s") % {"object": form.cleaned_data["participant"]})
                    return here
            return self._render(fixed=form, status=400)
        table = get_object_or_404(MeetingTable, pk=request.POST.get("table") or 0, event=self.event)
        try:
            if action == "rename":
                setup.rename_table(table, actor=request.user, label=request.POST.get("label", ""))
                messages.success(request, _("Saved: %(object)s") % {"object": table})
            elif action == "delete":
                setup.delete_table(table, actor=request.user)
                messages.success(request, _("Deleted: %(object)s") % {"object": table})
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return here
