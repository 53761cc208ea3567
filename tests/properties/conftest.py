"""Property tests (hypothesis) run on the real database through the services. Each test keeps
to a few seconds: ``max_examples`` is set per test and ``deadline=None`` (a database round
trip is not a fixed cost)."""

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Files written by a property test (meeting minutes) go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
