"""The rollup markers' shard count is a setting (template parameter RollupMarkerShards): changing it
loses no marker. A user's shard is ``hash % count``, so markers written under N shards lie in
shards 0..N-1, and the planner reads the largest count it was ever configured with (recorded on the
checkpoint item; 16, the count before it was a setting, when nothing is recorded)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from clinic import aws, settings
from clinic.repositories import dynamo
from clinic.repositories import rollup_markers_table as markers

NIGHT = "2026-03-08"
USERS = [f"user-{i:03d}" for i in range(120)]


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, tables: dict[str, str]) -> Iterator[Callable[[int], None]]:
    """Deploy a shard count: writers and planner read it from the environment, as in Lambda."""

    def deploy(count: int) -> None:
        monkeypatch.setenv("ROLLUP_MARKER_SHARDS", str(count))
        settings.reset()

    yield deploy
    settings.reset()  # the environment is restored after this; the next read parses it again


def write_markers(users: list[str]) -> None:
    """Each user's marker, written as the summary transaction writes it."""
    for user in users:
        aws.dynamodb().transact_write_items(TransactItems=[markers.add_days_action(user, NIGHT, [NIGHT])])


def planned_users() -> set[str]:
    return {m.user_id for m in markers.markers_due(NIGHT, markers.shards_to_read(markers.checkpoint()))}


@pytest.mark.parametrize(("written", "read"), [(4, 4), (16, 16), (16, 20), (20, 64), (64, 64)])
def test_markers_written_under_n_shards_are_all_found_by_a_planner_configured_for_m_at_least_n(
        configure, written, read):
    # Given markers written while the count was `written`
    configure(written)
    write_markers(USERS)
    assert max(markers.shard_of(u, written) for u in USERS) == written - 1  # up to the last shard

    # When the planner runs configured for `read` >= `written`
    configure(read)

    # Then it finds every one of them, reading at least `read` shards
    assert markers.shards_to_read(markers.checkpoint()) >= read
    assert planned_users() == set(USERS)


def test_a_lowered_count_still_reads_every_shard_of_the_larger_one(configure):
    # Given a night read under 64 shards, and markers written under 64
    configure(64)
    assert markers.shards_to_read(markers.checkpoint()) == 64
    write_markers(USERS[:60])

    # When the count is lowered to 20 the same day and more markers arrive under it
    configure(20)
    write_markers(USERS[60:])

    # Then the planner reads the 64 shards, and finds the markers written under both counts
    assert markers.shards_to_read(markers.checkpoint()) == 64
    assert planned_users() == set(USERS)


def test_a_raised_count_is_recorded_before_it_is_lowered_again(configure):
    # Given a count raised to 32 and a night read with it, then lowered to 20
    configure(32)
    markers.shards_to_read(markers.checkpoint())
    configure(20)

    # Then the 32 stays the count to read; the first count, 16, is never read below
    assert markers.shards_to_read(markers.checkpoint()) == 32
    checkpoint = aws.dynamodb().get_item(TableName=settings.get_settings(settings.Rollups).rollup_markers_table,
                                         Key=dynamo.to_item(markers.CHECKPOINT_KEY))["Item"]
    assert checkpoint["markerShards"] == {"N": "32"}


def test_markers_from_before_the_setting_are_read_under_their_16_shards(configure):
    # Given markers written under the first count (16) and no count recorded yet
    configure(markers.FIRST_SHARDS)
    write_markers(USERS)

    # When the count is lowered to 2 before any planner run recorded anything
    configure(2)

    # Then the night is still read over 16 shards, and every marker is found
    assert markers.shards_to_read(markers.checkpoint()) == markers.FIRST_SHARDS
    assert planned_users() == set(USERS)


def test_a_planner_configured_for_fewer_shards_than_the_writers_would_miss_markers(configure):
    """Why the planner reads the largest count: reading fewer shards than were written misses users."""
    configure(64)
    write_markers(USERS)
    found = {m.user_id for m in markers.markers_due(NIGHT, 16)}
    assert found < set(USERS)
    assert {markers.shard_of(u, 64) for u in set(USERS) - found} <= set(range(16, 64))
