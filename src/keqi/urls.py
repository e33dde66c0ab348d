from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from keqi.api.api import api
from keqi.web.lockouts import lockouts

handler400 = "keqi.web.errors.bad_request"
handler403 = "keqi.web.errors.permission_denied"
handler404 = "keqi.web.errors.page_not_found"
handler500 = "keqi.web.errors.server_error"

urlpatterns = [
    path("", include("keqi.web.urls")),
    path("registry/", include("keqi.registry.urls")),
    path("screening/", include("keqi.screening.urls")),
    path("targets/", include("keqi.targets.urls")),
    path("pipeline/", include("keqi.pipeline.urls")),
    path("contracts/", include("keqi.contracts.urls")),
    path("credit/", include("keqi.credit.urls")),
    path("applications/", include("keqi.applications.urls")),
    path("accounts/", include("keqi.accounts.urls")),
    path("accounts/lockouts/", lockouts, name="lockouts"),
    path("i18n/", include("django.conf.urls.i18n")),
    # the ladder's admin pages kept their first address when the model was renamed Stage → LadderTier
    re_path(r"^admin/pipeline/stage/(?P<rest>.*)$",
            RedirectView.as_view(url="/admin/pipeline/laddertier/%(rest)s", permanent=False, query_string=True),
            name="admin_stage_moved"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
