from django.urls import path

from . import views

app_name = "screening"
urlpatterns = [
    path("enterprises/<str:uscc>/", views.enterprise_evaluation, name="enterprise_evaluation"),
]
