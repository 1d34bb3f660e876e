"""The dashboard's origin suite (tests/http/origin_suite.py) through a deployed distribution.
Skipped, with the reason, unless configured:

  CLINIC_E2E_DASHBOARD_URL   the stack output DashboardUrl (https://<name>/app/), or its origin
  CLINIC_E2E_PATIENT_TOKEN   (and the other tokens of tests/e2e/conftest.py)
"""

import os
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import REQUIRED
from tests.http.client import Api

_needed = ("CLINIC_E2E_DASHBOARD_URL", *REQUIRED[1:])
_missing = [name for name in _needed if not os.environ.get(name)]
if _missing:
    pytest.skip(f"deployed dashboard suite not configured: set {', '.join(_missing)}", allow_module_level=True)

from tests.http.origin_suite import *  # noqa: E402, F403 - the shared suite runs here

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dashboard() -> Api:
    url = urlsplit(os.environ["CLINIC_E2E_DASHBOARD_URL"])
    return Api(base_url=f"{url.scheme}://{url.netloc}", patient_token=os.environ["CLINIC_E2E_PATIENT_TOKEN"],
               other_patient_token=os.environ["CLINIC_E2E_OTHER_PATIENT_TOKEN"],
               admin_token=os.environ["CLINIC_E2E_ADMIN_TOKEN"])
