import pytest

from tests.support.simfront import serving_front


@pytest.fixture(scope="module")
def server():
    """One threaded server for the module (stopping a server costs half a second)."""
    with serving_front() as running:
        yield running
