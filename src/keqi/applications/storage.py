"""Where attachments live: a private folder (``KEQI_PRIVATE_ROOT``, by default ``$KEQI_HOME/private``),
outside the web root and the media folder.

Nothing serves this folder; an attachment leaves it only through the scoped download view.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A file system storage whose folder is read from the settings on each use (tests move it)."""

    def __init__(self) -> None:
        super().__init__(base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):
        return str(settings.KEQI_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # never a public URL
        raise ValueError("attachments have no public URL")


private_storage = PrivateStorage()
