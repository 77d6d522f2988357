import pytest

from ocop.jobs import kinds


@pytest.fixture
def job_kinds():
    """Register job kinds for one test (``job_kinds({kind: handler path})``); they are
    unregistered after it."""
    added = []

    def register(registered: dict[str, str]) -> None:
        for kind, path in registered.items():
            kinds.register(kind, path)
            added.append(kind)

    yield register
    for kind in added:
        kinds.HANDLERS.pop(kind)
        kinds.LABELS.pop(kind)
