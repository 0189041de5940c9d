"""Backups of the private uploads with django-dbbackup's commands.

django-dbbackup's ``mediabackup`` and ``mediarestore`` copy Django's default storage (``MEDIA_ROOT``).
What this product keeps is private (``PRIVATE_MEDIA_ROOT``, :mod:`cnml.uploads`): fiche attachments,
mobility documents, the extracts kept. The core's commands of the same names (``cnml`` comes before
``dbbackup`` in ``INSTALLED_APPS``, so Django finds them first) are django-dbbackup's, on the private
storage. Where, how often and how to restore: ``docs/operations.md``.
"""

from __future__ import annotations

from cnml.uploads import private_storage


class PrivateUploadsMixin:
    """A django-dbbackup media command whose media storage is the private uploads' storage."""

    @property
    def media_storage(self):
        return private_storage

    @media_storage.setter
    def media_storage(self, value) -> None:
        """django-dbbackup sets the default storage in ``handle``: the private uploads' one stays."""
