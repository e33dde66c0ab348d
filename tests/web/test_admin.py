"""Every app's models are in the Django admin, and every list opens for the city administrator."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

KEQI_APPS = ("accounts", "registry", "pipeline", "screening", "contracts", "credit", "targets", "applications")


def test_every_app_with_models_has_its_admin():
    from django.apps import apps

    registered = {m._meta.app_label for m in admin.site._registry}
    with_models = {a.label for a in apps.get_app_configs() if a.label in KEQI_APPS and list(a.get_models())}
    assert with_models <= registered


def test_every_admin_list_opens(client_for, city_admin):
    c = client_for(city_admin)
    for model in admin.site._registry:
        if model._meta.app_label in KEQI_APPS:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            assert c.get(url).status_code == 200, url
