"""GET /me/export: all of a patient's own data (HIPAA right of access), one bounded page at a time."""

from __future__ import annotations

from pydantic import Field

from clinic.models.appointments import Appointment
from clinic.models.base import Shape
from clinic.models.biomarkers import Reading
from clinic.models.medications import Medication
from clinic.models.refills import RefillRequest
from clinic.models.rollups import DailyPoint
from clinic.models.users import User


class ExportedDailyPoint(DailyPoint):
    name: str = Field(description="The biomarker of this day's rollup")


class ExportPage(Shape):
    """One page of the export. The collections are walked in a fixed order (profile,
    biomarkers, appointments, medications, dailyRollups, refillRequests); a page holds at most ``limit`` items
    in all, so some collections are empty on a given page. Concatenating every page's lists
    gives all of the caller's data."""

    profile: User | None = Field(description="On the first page only (null if no profile exists yet)")
    biomarkers: list[Reading]
    appointments: list[Appointment]
    medications: list[Medication]
    daily_rollups: list[ExportedDailyPoint]
    refill_requests: list[RefillRequest]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")
    complete: bool = Field(description="True on the last page: nothing of the caller's data is left")
