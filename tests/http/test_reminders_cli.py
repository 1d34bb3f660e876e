"""Appointment reminders locally: `clinic-local reminders --at` runs one sweep inside the running
runner, and the reminder email is listed at its outbox, once, however often the sweep reruns."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.http.conftest import ROOT
from tests.http.test_runner_cli import _clean_env

pytestmark = pytest.mark.http
ZONE = ZoneInfo("America/New_York")  # the template's ClinicTimeZone default
SEND_HOUR = 17  # the template's ReminderSendHour default


def sweep(state, *args):
    return subprocess.run([sys.executable, "-m", "clinic_local.cli", "--state-file", str(state), "reminders", *args],
                          cwd=ROOT, env=_clean_env(), capture_output=True, text=True)


def outbox(stack) -> str:
    return unescape(requests.get(f"{stack.api_url}/local/outbox", timeout=10).text)


def test_a_confirmed_appointment_is_reminded_once_at_the_outbox(api, local_stack_state, tmp_path):
    # Given a confirmed appointment a day and a half from now, booked by the clinic
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    patient = api.get("/me", token=api.patient_token).json()
    start = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(hours=36)
    booked = api.request("POST", f"/admin/patients/{patient['userId']}/appointments", token=api.admin_token,
                         json={"type": "checkup", "startTime": int(start.timestamp() * 1000), "status": "scheduled"})
    assert booked.status_code == 201, booked.text
    # When the sweep runs at the send hour of the day before, twice
    due = datetime.combine((start - timedelta(hours=24)).date(), datetime.min.time(), ZONE).replace(hour=SEND_HOUR)
    runs = [sweep(state, "--at", due.isoformat()) for _ in range(2)]
    # Then the first sent it, the second nothing, and the outbox holds it once: where and when only
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr[-2000:]
    reports = [json.loads(r.stdout.strip().splitlines()[-1]) for r in runs]
    assert reports[0]["sent"] >= 1 and reports[1]["sent"] == 0
    hour = start.hour % 12 or 12
    when = f"{start:%A}, {start:%B} {start.day}, {start.year} at {hour}:{start:%M} {start:%p} {start:%Z}"
    line = f"You have an appointment at the clinic on {when}."
    (email,) = [item for item in outbox(local_stack_state).split("<li>") if line in item]
    assert patient["email"] in email and f"{local_stack_state.api_url}/app/" in email
    assert "Checkup" not in email and "checkup" not in email


def test_the_sweep_refuses_a_time_without_its_offset(local_stack_state, tmp_path):
    state = tmp_path / "stack.json"
    local_stack_state.save(state)
    out = sweep(state, "--at", "2026-12-08T17:00")
    assert out.returncode == 2 and "offset" in out.stderr


def test_reminders_can_be_turned_off_and_on_with_patch_me(api):
    token = api.other_patient_token
    assert api.get("/me", token=token).json()["appointmentReminders"] is True
    off = api.request("PATCH", "/me", token=token, json={"appointmentReminders": False})
    assert off.status_code == 200 and off.json()["appointmentReminders"] is False
    assert api.get("/me", token=token).json()["appointmentReminders"] is False
    refused = api.request("PATCH", "/me", token=token, json={"appointmentReminders": "yes"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "validation_error"
    assert api.get("/me", token=token).json()["appointmentReminders"] is False
    on = api.request("PATCH", "/me", token=token, json={"appointmentReminders": True})
    assert on.status_code == 200 and on.json()["appointmentReminders"] is True
