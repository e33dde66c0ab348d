from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("", views.index, name="index"),
    path("loans/new/", views.loan_new, name="loan_new"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/<str:action>/", views.loan_action, name="loan_action"),
    path("funds/", views.fund_list, name="funds"),
    path("settings/", views.policy_edit, name="policy"),
    path("enterprises/<str:uscc>/", views.enterprise, name="enterprise"),
]
