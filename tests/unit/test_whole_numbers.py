"""JSON Schema's `integer` includes numbers with a zero fraction (5330.0): the API takes them as the
integer they are, and still refuses strings, booleans and fractions (bodies are strict)."""

import pytest
from pydantic import ValidationError

from clinic.models.appointments import AppointmentChange, AppointmentRequest


def test_a_zero_fraction_is_an_integer():
    request = AppointmentRequest.model_validate({"type": "lab", "startTime": 5330.0, "durationMinutes": 30.0})
    assert (request.start_time, request.duration_minutes) == (5330, 30)
    assert type(request.start_time) is int
    assert AppointmentChange.model_validate({"action": "reschedule", "startTime": 7.0}).start_time == 7


@pytest.mark.parametrize("value", ["5330", True, 5330.5, float("inf"), float("nan")])
def test_strings_booleans_and_fractions_are_still_refused(value):
    with pytest.raises(ValidationError):
        AppointmentRequest.model_validate({"type": "lab", "startTime": value})
