from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/export.xlsx", views.candidate_export, name="candidate_export"),
    path("enterprises/<str:uscc>/", views.enterprise_evaluation, name="enterprise_evaluation"),
]
