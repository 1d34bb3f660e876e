"""Every time bound of every route (`from`, `to`, epoch ms) against the 13-digit sort-key encoding:
any value the contract accepts answers 2xx, any other answers 400 in the error shape. The
contract: integers in [0, MAX_EPOCH_MS], `from` not after `to`, and a route's own window (daily
history: at most 366 days; audit export: at most 31 days)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models.common import DAY_MS, MAX_EPOCH_MS
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.data import create_users


@dataclass(frozen=True)
class TimeRoute:
    function: str
    admin: bool = False
    path: dict[str, str] | None = None
    query: dict[str, str] = field(default_factory=dict)
    window_ms: int | None = None  # the longest [from, to] the route takes; None: any
    required: bool = False  # both bounds must be given


ROUTES = {
    "biomarkers": TimeRoute("ListBiomarkersFunction"),
    "history-raw": TimeRoute("GetBiomarkerHistoryFunction", path={"name": "Glucose"}, query={"resolution": "raw"}),
    # Well inside the 366 clinic-local days whatever the zone's offset.
    "history-daily": TimeRoute("GetBiomarkerHistoryFunction", path={"name": "Glucose"},
                               query={"resolution": "daily"}, window_ms=360 * DAY_MS),
    "patient-biomarkers": TimeRoute("ListPatientBiomarkersFunction", admin=True, path={"userId": OTHER_SUB}),
    "audit-export": TimeRoute("ExportAuditEventsFunction", admin=True, window_ms=30 * DAY_MS, required=True),
}
EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

instants = st.integers(0, MAX_EPOCH_MS)
edges = st.sampled_from([0, 1, MAX_EPOCH_MS - 1, MAX_EPOCH_MS])
valid_instant = st.one_of(edges, instants)
out_of_range = st.one_of(st.integers(max_value=-1), st.integers(min_value=MAX_EPOCH_MS + 1),
                         st.sampled_from([-1, MAX_EPOCH_MS + 1, 10**13, 10**19, 10**30]))
not_integers = st.sampled_from(["", " ", "1.5", "1e3", "0x10", "abc", "9" * 14, "--1"])


@st.composite
def accepted(draw, route: TimeRoute) -> dict[str, str]:
    """Bounds the contract accepts: both, one or none (unless required), from <= to, in the window."""
    to = draw(valid_instant)
    width = min(to, route.window_ms if route.window_ms is not None else to)
    from_ = to - draw(st.one_of(st.just(0), st.just(width), st.integers(0, width)))
    given_ = draw(st.sampled_from(["both"] if route.required else
                                  ["both", "to"] if route.window_ms else ["both", "from", "to", "none"]))
    return {"both": {"from": str(from_), "to": str(to)}, "from": {"from": str(from_)}, "to": {"to": str(to)},
            "none": {}}[given_]


@st.composite
def refused(draw, route: TimeRoute) -> dict[str, str]:
    """Bounds outside the contract: a value out of range or not an integer, or from after to."""
    kind = draw(st.sampled_from(["from", "to", "order"]))
    if kind == "order":
        to = draw(st.integers(0, MAX_EPOCH_MS - 1))
        return {"from": str(draw(st.integers(to + 1, MAX_EPOCH_MS))), "to": str(to)}
    bad = draw(st.one_of(out_of_range.map(str), not_integers))
    other = "to" if kind == "from" else "from"
    return {kind: bad, other: str(draw(instants) if kind == "to" else 0)} if route.required else {kind: bad}


def ask(invoke, route: TimeRoute, bounds: dict[str, str]):
    return call(invoke, route.function, sub=ADMIN_SUB if route.admin else OTHER_SUB, admin=route.admin,
                path=route.path, query={**route.query, **bounds})


@pytest.fixture
def patient(tables):
    create_users(OTHER_SUB)


@pytest.mark.parametrize("name", ROUTES)
@EXAMPLES
@given(data=st.data())
def test_every_accepted_time_bound_answers_2xx(invoke, patient, name, data):
    route = ROUTES[name]
    bounds = data.draw(accepted(route), label="bounds")
    reply = ask(invoke, route, bounds)
    assert 200 <= reply.status < 300, (bounds, reply.body)


@pytest.mark.parametrize("name", ROUTES)
@EXAMPLES
@given(data=st.data())
def test_every_bound_outside_the_contract_is_a_400(invoke, patient, name, data):
    route = ROUTES[name]
    bounds = data.draw(refused(route), label="bounds")
    reply = ask(invoke, route, bounds)
    assert reply.status == 400, (bounds, reply.body)
    assert reply.error_code == "validation_error"
    assert {"code", "message", "details"} <= set(reply.body["error"])


LAST = str(MAX_EPOCH_MS)


@pytest.mark.parametrize(("name", "bounds"), [
    *[(n, {"from": LAST, "to": LAST}) for n in ROUTES],
    # the documented maximum alone (was a 500: the inclusive bound plus one overflowed the key)
    *[(n, {"to": LAST}) for n, r in ROUTES.items() if not r.required],
    *[(n, {"from": "0", "to": LAST}) for n, r in ROUTES.items() if r.window_ms is None],
    *[(n, {"from": LAST}) for n, r in ROUTES.items() if r.window_ms is None],
])
def test_the_last_representable_instant_is_a_valid_bound(invoke, patient, name, bounds):
    reply = ask(invoke, ROUTES[name], bounds)
    assert reply.status == 200, reply.body
