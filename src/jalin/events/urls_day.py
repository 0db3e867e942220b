"""Agendas (page, PDF, iCalendar, QR), table signage, check-in, the live board and no-show handling."""

from django.urls import path

from . import views_day as views

urlpatterns = [
    path("<int:pk>/my-agenda/", views.MyAgendaView.as_view(), name="my_agenda"),
    path("<int:pk>/agenda/<int:participant>/", views.AgendaView.as_view(), name="agenda"),
    path("<int:pk>/agenda/<int:participant>.pdf", views.AgendaPdfView.as_view(), name="agenda_pdf"),
    path("<int:pk>/agenda/<int:participant>.ics", views.AgendaIcsView.as_view(), name="agenda_ics"),
    path("<int:pk>/agenda/<int:participant>/qr.svg", views.ParticipantQrView.as_view(), name="participant_qr"),
    path("<int:pk>/signage/", views.SignageView.as_view(), name="signage"),
    path("<int:pk>/signage.pdf", views.SignagePdfView.as_view(), name="signage_pdf"),
    path("<int:pk>/checkin/", views.CheckinView.as_view(), name="checkin"),
    path("<int:pk>/checkin/<uuid:code>/", views.CheckinCodeView.as_view(), name="checkin_code"),
    path("<int:pk>/board/", views.BoardView.as_view(), name="board"),
    path("<int:pk>/board/fragment/", views.BoardFragmentView.as_view(), name="board_fragment"),
    path("<int:pk>/meetings/<int:meeting>/held/", views.MeetingHeldView.as_view(), name="meeting_held"),
    path("<int:pk>/meetings/<int:meeting>/no-show/", views.MeetingNoShowView.as_view(), name="meeting_noshow"),
    path(
        "<int:pk>/meetings/<int:meeting>/reschedule/", views.MeetingRescheduleView.as_view(), name="meeting_reschedule"
    ),
]
