"""Sending a generated spreadsheet to the browser, with a Chinese file name that survives every browser.

Here, in the lowest app whose pages send one, so that every app above (screening, contracts,
targets) uses it by importing downward."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(path: Path, filename: str) -> FileResponse:
    response = FileResponse(Path(path).open("rb"), as_attachment=True, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
