from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.station_list, name="station_list"),
    path("new/", views.station_create, name="station_create"),
    path("<int:pk>/", views.station_detail, name="station_detail"),
    path("<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("<int:pk>/status/", views.station_status, name="station_status"),
    path("<int:pk>/sign/", views.station_sign, name="station_sign"),
    path("coverage/", views.coverage, name="coverage"),
    path("my/", views.my_station, name="my_station"),
    path("my/check-in/", views.my_check_in, name="my_check_in"),
    path("my/record/", views.my_record, name="my_record"),
    path("my/submit/", views.my_submit, name="my_submit"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="report_action"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("directory.xlsx", views.directory_export, name="directory_export"),
    path("directory/import/", views.directory_import, name="directory_import"),
]
