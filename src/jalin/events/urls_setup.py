"""Event setup, participation, invitations and meeting requests (issue #5 points 1 and 2)."""

from django.urls import path

from . import views_events as ev
from . import views_invitations as inv
from . import views_participants as pa
from . import views_requests as r
from . import views_sessions as se
from . import views_tables as ta

urlpatterns = [
    path("", ev.EventListView.as_view(), name="list"),
    path("new/", ev.EventEditView.as_view(), name="add"),
    path("<int:pk>/", ev.EventDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", ev.EventEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", ev.EventDeleteView.as_view(), name="delete"),
    path("<int:pk>/history/", ev.EventHistoryView.as_view(), name="history"),
    path("<int:pk>/status/", ev.EventStatusView.as_view(), name="status"),
    path("<int:pk>/sessions/", se.SessionsView.as_view(), name="sessions"),
    path("<int:pk>/tables/", ta.TablesView.as_view(), name="tables"),
    path("<int:pk>/participants/", pa.ParticipantsView.as_view(), name="participants"),
    path("<int:pk>/participants/<int:participant>/", pa.ParticipantDetailView.as_view(), name="participant"),
    path("<int:pk>/participants/<int:participant>/edit/", pa.ParticipantEditView.as_view(), name="participant_edit"),
    path(
        "<int:pk>/participants/<int:participant>/representatives/new/",
        pa.RepresentativeAddView.as_view(),
        name="representative_add",
    ),
    path(
        "<int:pk>/participants/<int:participant>/representatives/<int:representative>/delete/",
        pa.RepresentativeDeleteView.as_view(),
        name="representative_delete",
    ),
    path("<int:pk>/register/", pa.RegisterView.as_view(), name="register"),
    path("<int:pk>/decline/", pa.DeclineInvitationView.as_view(), name="decline_invitation"),
    path("<int:pk>/invite/", inv.InviteView.as_view(), name="invite"),
    path("<int:pk>/requests/", r.RequestListView.as_view(), name="requests"),
    path("<int:pk>/requests/new/", r.RequestAddView.as_view(), name="request_add"),
    path(
        "<int:pk>/requests/from-candidate/<int:candidate>/",
        r.RequestFromCandidateView.as_view(),
        name="request_from_candidate",
    ),
    path("<int:pk>/requests/<int:request_id>/respond/", r.RequestRespondView.as_view(), name="request_respond"),
    path("<int:pk>/requests/<int:request_id>/withdraw/", r.RequestWithdrawView.as_view(), name="request_withdraw"),
]
