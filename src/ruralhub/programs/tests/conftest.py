import pytest
from django.core.cache import caches

from ruralhub.core.cache import CACHE


@pytest.fixture(autouse=True)
def _fresh_figures():
    """Each test's database starts at generation 0 again, so figures cached by an earlier test must go."""
    caches[CACHE].clear()
    yield
    caches[CACHE].clear()
