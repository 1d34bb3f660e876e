"""getBiomarkerStats, done right: over the latest reading of each biomarker, from one GetItem."""

from __future__ import annotations

from collections.abc import Sequence

from clinic.models.stats import BiomarkerStats, StatusCounts
from clinic.repositories import biomarker_summary_table


def percentages(counts: Sequence[int]) -> list[int]:
    """Integer percentages that sum to exactly 100 (largest remainder; ties go to the earlier
    position), or all zeros when there is nothing to count."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    exact = [c * 100 / total for c in counts]
    floors = [int(x) for x in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[: 100 - sum(floors)]:
        floors[i] += 1
    return floors


def for_user(user_id: str) -> BiomarkerStats:
    item = biomarker_summary_table.get_stats(user_id) or {}
    counts = [item.get("optimal", 0), item.get("inRange", 0), item.get("outOfRange", 0)]
    optimal, in_range, out_of_range = percentages(counts)
    return BiomarkerStats(
        total=sum(counts),
        optimal=optimal,
        in_range=in_range,
        out_of_range=out_of_range,
        counts=StatusCounts(optimal=counts[0], in_range=counts[1], out_of_range=counts[2]),
        as_of=item.get("asOf"),
    )
