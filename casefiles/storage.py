"""Private file storage: documents and PDFs never live under a public URL;
they are served only by views that check permission and log the download."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """File system storage under settings.PRIVATE_MEDIA_ROOT, read at use
    (not at import), with no public base URL."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("private files have no URL; serve them through a permission-checked view")


def private_storage() -> PrivateStorage:
    return PrivateStorage()
