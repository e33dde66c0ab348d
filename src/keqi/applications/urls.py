from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    path("bulk/", views.application_bulk, name="bulk"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/act/", views.application_act, name="act"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("filings/", views.filing_list, name="filings"),
    path("filings/start/", views.filing_start, name="filing_start"),
    path("filings/missing/", views.filing_missing, name="filing_missing"),
    path("filings/window/", views.filing_window, name="filing_window"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("filings/<int:pk>/evaluate/", views.filing_evaluate, name="filing_evaluate"),
    path("filings/<int:pk>/act/", views.filing_act, name="filing_act"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/export.xlsx", views.batch_export, name="batch_export"),
    path("calendar/", views.calendar_list, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("notices/", views.notice_list, name="notices"),
]
