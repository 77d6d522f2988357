"""Where files that must not be public are kept (see settings.PRIVATE_ROOT)."""

from django.core.files.storage import storages


def private_storage():
    """The storage of files served only through views that check the permission gate.

    A callable, so that FileFields resolve it when used (tests point it at a temporary
    directory) and migrations do not freeze a path."""
    return storages["private"]
