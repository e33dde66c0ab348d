from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The admin's names of what other libraries (and two credit models without names of their own) keep, in
# Chinese: the admin showed "Tasks Database Backend", "Axes", "access attempts", "repayments" …
# (set at start-up on the models' metadata: migrations read the models' declared options, not these).
APP_NAMES = {"django_tasks_database": "后台任务", "axes": "登录安全"}
MODEL_NAMES = {
    ("django_tasks_database", "dbtaskresult"): "后台任务记录",
    ("axes", "accessattempt"): "登录失败记录",
    ("axes", "accesslog"): "登录记录",
    ("axes", "accessfailurelog"): "登录失败明细",
    ("credit", "repayment"): "还款记录",
    ("credit", "default"): "逾期与代偿记录",
}


class WebConfig(AppConfig):
    name = "keqi.web"
    verbose_name = _("Web pages")

    def ready(self):
        from django.apps import apps
        from django.contrib import admin

        admin.site.site_header = admin.site.site_title = "科企 系统管理"
        admin.site.index_title = "系统管理"
        for label, name in APP_NAMES.items():
            if apps.is_installed(label) or label in apps.app_configs:
                apps.get_app_config(label).verbose_name = name
        for (label, model), name in MODEL_NAMES.items():
            try:
                meta = apps.get_model(label, model)._meta
            except LookupError:
                continue
            meta.verbose_name = meta.verbose_name_plural = name
