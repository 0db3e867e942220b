from django.urls import path

from . import views_schedule as views

urlpatterns = [
    path("<int:pk>/schedule/", views.ScheduleView.as_view(), name="schedule"),
    path("<int:pk>/schedule/run/", views.ScheduleRunView.as_view(), name="schedule_run"),
    path("<int:pk>/schedule/job/<uuid:job>/", views.ScheduleJobView.as_view(), name="schedule_job"),
    path("<int:pk>/meetings/<int:meeting>/lock/", views.MeetingLockView.as_view(), name="meeting_lock"),
]
