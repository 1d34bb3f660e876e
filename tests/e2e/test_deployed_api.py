"""The HTTP suite (tests/http/suite.py) against a deployed stack; see conftest for the settings."""

import os

import pytest

from tests.e2e.conftest import REQUIRED

_missing = [name for name in REQUIRED if not os.environ.get(name)]
if _missing:
    pytest.skip(f"deployed-stack suite not configured: set {', '.join(_missing)}", allow_module_level=True)

from tests.http.suite import *  # noqa: E402, F403 - the shared suite runs here

pytestmark = pytest.mark.e2e
