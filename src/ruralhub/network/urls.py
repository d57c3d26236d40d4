from django.urls import path

from .views import coverage, directory, operator, reports, review, stations

app_name = "network"
urlpatterns = [
    path("", stations.station_list, name="station_list"),
    path("new/", stations.station_create, name="station_create"),
    path("<int:pk>/", stations.station_detail, name="station_detail"),
    path("<int:pk>/edit/", stations.station_edit, name="station_edit"),
    path("<int:pk>/status/", stations.station_status, name="station_status"),
    path("<int:pk>/sign/", stations.station_sign, name="station_sign"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("my/", operator.my_station, name="my_station"),
    path("my/check-in/", operator.my_check_in, name="my_check_in"),
    path("my/record/", operator.my_record, name="my_record"),
    path("my/submit/", operator.my_submit, name="my_submit"),
    path("my/records/", operator.my_records, name="my_records"),
    path("my/records/<int:pk>/void/", operator.my_void, name="my_void"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/<str:action>/", reports.report_action, name="report_action"),
    path("review/", review.review, name="review"),
    path("review/<int:pk>/", review.review_decide, name="review_decide"),
    path("directory.xlsx", directory.directory_export, name="directory_export"),
    path("directory/import/", directory.directory_import, name="directory_import"),
]
