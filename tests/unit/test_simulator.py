"""The local simulator's stream looks like what sensor and lab pipelines deliver."""

from collections import Counter, defaultdict
from itertools import pairwise

import pytest

from clinic.services import ingest, readings
from clinic_local.simulate import CGM, HEART_RATE, PANEL_SIZE, Simulator

END = 1_790_000_000_000
USERS = ["7d3f9a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37", "3c9e1b7a-5d2f-4a8e-b6c1-9f0d2e4a7b58", "sim-3"]


@pytest.fixture(scope="module")
def stream():
    ticks = list(Simulator(USERS, rate=200, seconds=10, end_ms=END, seed=1).ticks())
    return ticks, [r for tick in ticks for r in tick]


def distinct(readings_):
    return list({(r["source"], r["sourceReadingId"]): r for r in readings_}.values())


def test_every_reading_is_valid_for_ingest_and_matches_the_catalog(stream):
    _, sent = stream
    for raw in sent:
        reading = ingest.validate(raw)
        assert not isinstance(reading, str), reading
        assert isinstance(readings.resolve(reading), dict)


def test_the_rate_is_close_to_the_one_asked_for_and_nothing_is_in_the_future(stream):
    ticks, sent = stream
    assert len(ticks) == 10
    assert 0.9 * 2000 <= len(sent) <= 1.1 * 2000
    assert max(r["recordedAt"] for r in sent) <= END


def test_glucose_every_5_minutes_and_heart_rate_every_minute_per_patient(stream):
    _, sent = stream
    times = defaultdict(list)
    for r in distinct(sent):
        times[(r["userId"], r["name"])].append(r["recordedAt"])
    for user in USERS:
        for name, every in ((CGM.name, 300_000), (HEART_RATE.name, 60_000)):
            series = sorted(times[(user, name)])
            assert len(series) > 5
            assert {b - a for a, b in pairwise(series)} == {every}


def test_each_patient_gets_one_lab_panel_of_about_30_biomarkers_sharing_one_time(stream):
    _, sent = stream
    labs = [r for r in distinct(sent) if r["source"] == "lab.quest"]
    by_user = defaultdict(list)
    for r in labs:
        by_user[r["userId"]].append(r)
    assert set(by_user) == set(USERS)
    for panel in by_user.values():
        assert len(panel) == PANEL_SIZE
        assert len({r["recordedAt"] for r in panel}) == 1
        assert len({r["name"] for r in panel}) == PANEL_SIZE


def test_like_real_pipelines_it_resends_some_readings_and_delivers_some_late(stream):
    ticks, sent = stream
    resent = [k for k, n in Counter((r["source"], r["sourceReadingId"]) for r in sent).items() if n > 1]
    assert resent
    late = 0
    newest = {}
    for tick in ticks:
        for r in tick:
            key = (r["userId"], r["name"])
            if key in newest and r["recordedAt"] < newest[key] and r["name"] == HEART_RATE.name:
                late += 1
            newest[key] = max(newest.get(key, r["recordedAt"]), r["recordedAt"])
    assert late > 0


def test_the_same_seed_gives_the_same_stream():
    one = list(Simulator(USERS, 50, 3, END, seed=5).ticks())
    assert one == list(Simulator(USERS, 50, 3, END, seed=5).ticks())
    assert one != list(Simulator(USERS, 50, 3, END, seed=6).ticks())
