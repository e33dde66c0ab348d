"""The pages of the one upload lifecycle (registry/uploads.py), for any app's upload model.

An app describes its uploads once (:class:`UploadPages`: the model, its URL namespace, its titles and
the links shown when the import is done) and gets the five pages — history, upload, detail (refreshing
itself while the worker runs, with the progress bar, the message, the row errors or the plan),
confirm, check again — with the same templates (``uploads/``) and the same URL names
(``import_list``, ``import_upload``, ``import_detail``, ``import_apply``, ``import_retry``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from keqi.accounts.scope import scope_for

from . import tasks, uploads

PAGE_SIZE = 50
ALLOWED_SUFFIXES = (".xlsx", ".csv", ".parquet")


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx, .csv or .parquet)"))
    suffixes: tuple[str, ...] = ALLOWED_SUFFIXES
    wrong_kind = gettext_lazy("Use the template: an .xlsx, .csv or .parquet file.")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if Path(f.name).suffix.lower() not in self.suffixes:
            raise forms.ValidationError(self.wrong_kind)
        if f.size > settings.KEQI_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return f


@dataclass(frozen=True)
class UploadPages:
    """One app's upload pages: what it uploads and how the pages name it."""

    model: type[uploads.Upload]
    namespace: str
    list_title: str
    upload_title: str
    intro: str
    template_url: str  # the URL name of the empty template to download
    done_links: tuple[tuple[str, str], ...] = ()  # (label, URL name) shown once imported
    form: type[UploadForm] = UploadForm
    prefix: str = "imports/"

    def url(self, name: str) -> str:
        return f"{self.namespace}:{name}"

    # ------------------------------------------------------------ the pages

    def _visible(self, request):
        scope = scope_for(request.user)
        scope.require(self.model.PERMISSION)
        return scope, scope.own_requests(self.model.objects.select_related("uploaded_by"), "uploaded_by")

    def _context(self, **more) -> dict:
        return {"pages": self, **more}

    def import_list(self, request):
        _scope, qs = self._visible(request)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "uploads/list.html", self._context(page=page))

    def import_upload(self, request):
        """Upload → the worker checks it → the page shows the row errors or the plan → confirm → the worker imports."""
        scope, _qs = self._visible(request)
        form = self.form(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = uploads.record_upload(model=self.model, scope=scope, user=request.user,
                                           uploaded=form.cleaned_data["file"])
            tasks.queue_upload(upload, apply=False)
            return redirect(self.url("import_detail"), pk=upload.pk)
        return render(request, "uploads/upload.html", self._context(form=form))

    def import_detail(self, request, pk: int):
        _scope, qs = self._visible(request)
        upload = get_object_or_404(qs, pk=pk)
        errors = Paginator(upload.errors, 100).get_page(request.GET.get("page"))
        return render(request, "uploads/detail.html", self._context(upload=upload, errors=errors,
                                                                     running=upload.running))

    def import_apply(self, request, pk: int):
        _scope, qs = self._visible(request)
        upload = get_object_or_404(qs, pk=pk)
        if not tasks.confirm_upload(upload):  # only a checked file, and only once
            raise PermissionDenied(_("Only a checked file without errors can be imported."))
        messages.info(request, _("The import has started; this page updates by itself."))
        return redirect(self.url("import_detail"), pk=upload.pk)

    def import_retry(self, request, pk: int):
        _scope, qs = self._visible(request)
        upload = get_object_or_404(qs, pk=pk)
        if not tasks.recheck_upload(upload):
            raise PermissionDenied(_("Only a failed or interrupted upload can be checked again."))
        messages.info(request, _("The file is being checked again; this page updates by itself."))
        return redirect(self.url("import_detail"), pk=upload.pk)

    def urls(self) -> list:
        p = self.prefix
        return [
            path(p, login_required(self.import_list), name="import_list"),
            path(f"{p}new/", login_required(self.import_upload), name="import_upload"),
            path(f"{p}<int:pk>/", login_required(self.import_detail), name="import_detail"),
            path(f"{p}<int:pk>/apply/", login_required(require_POST(self.import_apply)), name="import_apply"),
            path(f"{p}<int:pk>/retry/", login_required(require_POST(self.import_retry)), name="import_retry"),
        ]
