"""Checking an uploaded attachment by what it contains, not by its name: PDF, PNG or JPEG only.

An upload is read in bounded chunks (never whole into memory): its size is checked first, its
first bytes must be a PDF, PNG or JPEG signature, and its structure must hold together (a PDF
ends with ``%%EOF``; a PNG starts with its IHDR chunk and ends with IEND; a JPEG ends with its
end-of-image marker). Anything else is refused with one Chinese message and nothing is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

CHUNK = 64 * 1024
TAIL = 2048
KINDS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
LABELS = {"application/pdf": "PDF", "image/png": "PNG图片", "image/jpeg": "JPEG图片"}


class AttachmentRefused(ValueError):
    """The upload is not acceptable; the message says why, in Chinese."""


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return KINDS[self.content_type]


def limit() -> int:
    return int(settings.KEQI_MAX_ATTACHMENT_BYTES)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def sniff(head: bytes, tail: bytes) -> str | None:
    """The content type that the first and last bytes show, or None."""
    if head.startswith(b"%PDF-") and b"%%EOF" in tail:
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and tail.endswith(b"IEND\xaeB`\x82"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff") and tail.rstrip(b"\x00\r\n").endswith(b"\xff\xd9"):
        return "image/jpeg"
    return None


def check(uploaded) -> Checked:
    """Check a Django ``UploadedFile`` (or any file object with ``size`` and ``chunks()``)."""
    size = getattr(uploaded, "size", None)
    maximum = limit()
    if size is None or size <= 0:
        raise AttachmentRefused("文件是空的，请重新选择文件。")
    if size > maximum:
        raise AttachmentRefused(f"文件过大（{_mb(size)}），单个材料不能超过 {_mb(maximum)}。")
    digest = hashlib.sha256()
    head = b""
    tail = b""
    read = 0
    for chunk in uploaded.chunks(CHUNK):
        read += len(chunk)
        if read > maximum:
            raise AttachmentRefused(f"文件过大，单个材料不能超过 {_mb(maximum)}。")
        digest.update(chunk)
        if len(head) < 32:
            head = (head + chunk)[:32]
        tail = (tail + chunk)[-TAIL:]
    kind = sniff(head, tail)
    if kind is None:
        raise AttachmentRefused("只能上传 PDF 文件或 PNG、JPEG 图片（按文件内容检查，改扩展名无效）；该文件不是完整的 PDF 或图片。")
    return Checked(kind, read, digest.hexdigest())
