"""Sensor and lab ingest: two callers (direct Invoke, SQS), one code path. The function unwraps
the SQS envelope: ``from_queue`` takes the messages' bodies and answers which failed.

Each item is validated on its own (a bad one is rejected with a reason, the rest proceed), then
every valid reading of every user goes through ``readings.record_many`` in one call, which
checks that the users exist, writes what is new and merges the summaries.

- Invoke: ``{"readings": [...]}`` (at most 1,000) returns counts and one result per item.
  A malformed envelope or too many readings is an error result and nothing is written.
- SQS: one reading per message. A message whose reading is rejected or failed is reported back
  (``batchItemFailures``: SQS makes it visible again; after the redrive policy's receive count it
  moves to the dead-letter queue); the others are deleted.

Logs and metrics carry counts only: never a reading, a user id or a reason.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from clinic.models.ingest import MAX_READINGS_PER_CALL, IngestReading, IngestResult, ItemResult
from clinic.observability import logger, metrics
from clinic.services import readings
from clinic.services.readings import Outcome, Result

_UNREADABLE = object()  # an SQS body that is not JSON
NOT_JSON = "message body is not JSON"
RETRY_LATER = (Outcome.REJECTED, Outcome.FAILED)


def describe(error: ValidationError) -> str:
    """Which fields are wrong and how, without the values (``include_input=False``)."""
    problems = []
    for err in error.errors(include_input=False, include_url=False, include_context=False):
        where = ".".join(str(part) for part in err["loc"]) or "reading"
        problems.append(f"{where}: {err['msg']}")
    return "; ".join(problems)


def validate(raw: Any) -> IngestReading | str:
    if raw is _UNREADABLE:
        return NOT_JSON
    try:
        return IngestReading.model_validate(raw)
    except ValidationError as error:
        return describe(error)


def ingest(raw_items: Sequence[Any]) -> list[Result]:
    """Validate each item, record the valid ones; one result per item, in order."""
    checked = [validate(raw) for raw in raw_items]
    valid = [(index, item) for index, item in enumerate(checked) if isinstance(item, IngestReading)]
    recorded = readings.record_many([(item.user_id, item) for _, item in valid], check_users=True)
    results: list[Result] = [
        Result(index, Outcome.REJECTED, item) if isinstance(item, str) else Result(index, Outcome.FAILED)
        for index, item in enumerate(checked)
    ]
    for (index, _), result in zip(valid, recorded, strict=True):
        results[index] = replace(result, index=index)
    return results


def is_bundle(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("resourceType") == "Bundle"


def ingest_bundle(raw: Any) -> list[Result]:
    """A FHIR Bundle's Observations (``clinic.fhir.ingest``, imported here only: the FHIR model
    library's import cost stays off the plain path). Raises ``InvalidBundle``."""
    from clinic.fhir import ingest as fhir_ingest

    return fhir_ingest.ingest(raw)


def from_bundle(event: dict[str, Any]) -> dict[str, Any]:
    from clinic.fhir.bundle import InvalidBundle

    try:
        results = ingest_bundle(event)
    except InvalidBundle as error:
        return _error(str(error), error.details)
    return _report(_observe("invoke", results), results)


def from_invoke(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict) or set(event) != {"readings"} or not isinstance(event["readings"], list):
        return _error('the event must be {"readings": [...]} and nothing else')
    items = event["readings"]
    if len(items) > MAX_READINGS_PER_CALL:
        return _error(f"at most {MAX_READINGS_PER_CALL} readings per call; split the batch")
    results = ingest(items)
    return _report(_observe("invoke", results), results)


def _report(counts: Counter[Outcome], results: Sequence[Result]) -> dict[str, Any]:
    return IngestResult(
        accepted=counts[Outcome.ACCEPTED],
        duplicate=counts[Outcome.DUPLICATE],
        rejected=counts[Outcome.REJECTED],
        failed=counts[Outcome.FAILED],
        corrected=counts[Outcome.CORRECTED],
        withdrawn=counts[Outcome.WITHDRAWN],
        results=[ItemResult(index=r.index, outcome=r.outcome.value, reason=r.reason, reading_id=r.reading_id)
                 for r in results],
    ).model_dump(exclude_none=True)


def from_queue(messages: Sequence[Any]) -> list[int]:
    """The messages' bodies (text, one reading or one FHIR Bundle each) -> the positions of those
    that failed and must be delivered again, in order."""
    bodies = []
    for message in messages:
        try:
            bodies.append(json.loads(message))
        except (ValueError, TypeError):
            bodies.append(_UNREADABLE)
    plain = [index for index, body in enumerate(bodies) if not is_bundle(body)]
    results = [replace(r, index=plain[r.index]) for r in ingest([bodies[index] for index in plain])]
    failing = {r.index for r in results if r.outcome in RETRY_LATER}
    # A message holding a FHIR Bundle succeeds only when every one of its Observations does.
    for index in sorted(set(range(len(bodies))) - set(plain)):
        from clinic.fhir.bundle import InvalidBundle

        try:
            of_bundle = [replace(r, index=index) for r in ingest_bundle(bodies[index])]
        except InvalidBundle:  # nothing stored; the redrive policy moves the message aside
            of_bundle = [Result(index, Outcome.REJECTED, "not a valid FHIR Bundle")]
        results += of_bundle
        failing |= {r.index for r in of_bundle if r.outcome in RETRY_LATER}
    _observe("queue", results)
    return sorted(failing)


def _error(message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    metrics.add_metric(name="IngestCallsRefused", unit=MetricUnit.Count, value=1)
    logger.warning("ingest call refused", extra={"entry": "invoke"})
    return {"error": {"code": "validation_error", "message": message, "details": details or []}}


def _observe(entry: str, results: Sequence[Result]) -> Counter[Outcome]:
    counts = Counter(r.outcome for r in results)
    logger.info("readings ingested", extra={"entry": entry, "items": len(results),
                                            **{outcome.value: counts[outcome] for outcome in Outcome}})
    for outcome in Outcome:
        metrics.add_metric(name=f"Readings{outcome.value.title()}", unit=MetricUnit.Count, value=counts[outcome])
    return counts
