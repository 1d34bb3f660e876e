from hypothesis import given
from hypothesis import strategies as st

from clinic.services.stats import percentages


def test_percentages_of_nothing_are_all_zero():
    assert percentages([0, 0, 0]) == [0, 0, 0]


def test_thirds_sum_to_100_with_the_remainder_going_to_the_first_tie():
    # Given three equal counts, When converted, Then 33.3 each rounds to 34/33/33, not 33/33/33.
    assert percentages([1, 1, 1]) == [34, 33, 33]


def test_largest_remainder_wins_the_missing_point():
    # 2/7 = 28.57, 2/7 = 28.57, 3/7 = 42.86 -> floors 28+28+42 = 98. The two missing points go
    # to the largest remainders: .86 (third), then .57 (first, which wins the tie with the second).
    assert percentages([2, 2, 3]) == [29, 28, 43]


def test_seed_rounding_would_exceed_100_where_ours_does_not():
    # Math.round on 1/2/2 of 5 gives 20/40/40; on 1/1/1 of 3 gives 33*3 = 99. Ours is exact.
    assert sum(percentages([1, 1, 1])) == 100
    assert percentages([1, 2, 2]) == [20, 40, 40]


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=3, max_size=3).filter(lambda c: sum(c) > 0))
def test_percentages_always_sum_to_100_and_stay_within_one_of_exact(counts):
    result = percentages(counts)
    assert sum(result) == 100
    for count, pct in zip(counts, result, strict=True):
        assert abs(pct - count * 100 / sum(counts)) < 1
