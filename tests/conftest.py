"""Fixtures of the cross-app tests that walk every URL (test_access, test_bad_input)."""

import pytest

from .access_table import dataset as build_dataset


@pytest.fixture(scope="module")
def access_dataset(django_db_setup, django_db_blocker, tmp_path_factory):
    """The objects every URL is opened with, built once per module; each test runs in a
    savepoint of its transaction."""
    with django_db_blocker.unblock(), build_dataset(str(tmp_path_factory.mktemp("media"))) as data:
        yield data


@pytest.fixture
def access_media_root(settings, access_dataset):
    settings.MEDIA_ROOT = access_dataset.media_root
