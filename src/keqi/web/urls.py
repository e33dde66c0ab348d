from django.urls import path

from . import editions, firm, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # the firm page composes every app; its address stays under the registry's
    path("registry/enterprises/<str:uscc>/", firm.enterprise_detail, name="enterprise_detail"),
    # the rulebook: every edition's criteria, and two editions of one family side by side (public policy)
    path("editions/", editions.edition_list, name="editions"),
    path("editions/<str:edition_id>/", editions.edition_detail, name="edition"),
    path("editions/<str:old>/compare/<str:new>/", editions.edition_compare, name="edition_compare"),
]
