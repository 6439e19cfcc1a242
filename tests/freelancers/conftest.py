"""Fixtures of the freelancer page tests: uploads go to a temporary MEDIA_ROOT."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
