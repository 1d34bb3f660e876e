"""The HTTP suite against a deployed stack. Skipped (with the reason) unless configured:

  CLINIC_E2E_API_URL              e.g. https://abc123.execute-api.us-east-1.amazonaws.com/dev
  CLINIC_E2E_PATIENT_TOKEN        ID token of a test patient
  CLINIC_E2E_OTHER_PATIENT_TOKEN  ID token of a second test patient
  CLINIC_E2E_ADMIN_TOKEN          ID token of a member of the admin group
"""

from __future__ import annotations

import os

import pytest

from tests.http.client import Api

REQUIRED = (
    "CLINIC_E2E_API_URL", "CLINIC_E2E_PATIENT_TOKEN", "CLINIC_E2E_OTHER_PATIENT_TOKEN", "CLINIC_E2E_ADMIN_TOKEN",
)


@pytest.fixture(scope="session")
def api() -> Api:
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        pytest.skip(f"deployed-stack suite not configured: set {', '.join(missing)}")
    return Api(
        base_url=os.environ["CLINIC_E2E_API_URL"].rstrip("/"),
        patient_token=os.environ["CLINIC_E2E_PATIENT_TOKEN"],
        other_patient_token=os.environ["CLINIC_E2E_OTHER_PATIENT_TOKEN"],
        admin_token=os.environ["CLINIC_E2E_ADMIN_TOKEN"],
    )
