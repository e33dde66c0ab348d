from django.urls import path

from . import firm, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # the firm page composes every app; its address stays under the registry's
    path("registry/enterprises/<str:uscc>/", firm.enterprise_detail, name="enterprise_detail"),
]
