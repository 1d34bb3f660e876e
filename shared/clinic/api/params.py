"""Request parameters shared by the routes: pagination, ids in paths, time windows. One
definition each, so every route bounds them the same way (and documents them the same way)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from clinic.models.biomarkers import NAME_PATTERN
from clinic.models.common import ID_PATTERN, MAX_EPOCH_MS, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX
from clinic.services.cursors import MAX_LENGTH as CURSOR_MAX_LENGTH
from clinic.services.cursors import PATTERN as CURSOR_PATTERN

Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX, description=f"Page size, default {PAGE_LIMIT_DEFAULT}")]
Cursor = Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH, pattern=CURSOR_PATTERN,
                                     description="`nextCursor` of the previous page, unchanged: signed for this "
                                     "caller and this query, it expires; any other value is a 400")]
From = Annotated[int | None, Query(alias="from", ge=0, le=MAX_EPOCH_MS,
                                   description="Epoch ms, inclusive; not after `to`")]
To = Annotated[int | None, Query(alias="to", ge=0, le=MAX_EPOCH_MS, description="Epoch ms, inclusive")]

AppointmentId = Annotated[str, Path(alias="appointmentId", pattern=ID_PATTERN, max_length=64)]
ReadingId = Annotated[str, Path(alias="readingId", pattern=ID_PATTERN, max_length=64)]
MedicationId = Annotated[str, Path(alias="medicationId", pattern=ID_PATTERN, max_length=64)]
RequestId = Annotated[str, Path(alias="requestId", pattern=ID_PATTERN, max_length=64)]
UserId = Annotated[str, Path(alias="userId", pattern=ID_PATTERN, max_length=64, description="The user's Cognito sub")]
# Percent-encoded as it arrives (see clinic.entry.http.path_text); 64 characters can take 3 bytes each.
# The document describes the name itself (a client encodes it), which the route checks once decoded.
BiomarkerNamePath = Annotated[str, Path(alias="name", min_length=1, max_length=3 * 64 * 3,
                                        description="The biomarker's name, URL-encoded",
                                        json_schema_extra={"pattern": NAME_PATTERN, "maxLength": 64})]
