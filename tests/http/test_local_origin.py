"""The dashboard's origin suite (tests/http/origin_suite.py) against the local runner, which
serves the page and the API as the distribution does."""

import pytest

from tests.http.client import Api
from tests.http.origin_suite import *  # noqa: F403 - the shared suite runs here

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def dashboard(api: Api) -> Api:
    return api  # the runner's origin is the dashboard's
