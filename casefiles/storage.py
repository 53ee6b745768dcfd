"""Private file storage: documents and PDFs never live under a public URL;
they are served only by views that check permission and log the download."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
