"""capacity/shape.py: the peak-hour rates the hot-partition simulation drives follow from
capacity/load_shape.yaml."""

import pytest

from capacity.shape import load, peak_rates


def test_the_1m_peak_hour_from_the_shape_file():
    rates = peak_rates(patients=1_000_000)
    # 250,000 active patients, 15% of a day's traffic in the peak hour
    assert rates.page_loads == pytest.approx(250_000 * 2 * 0.15 / 3600)
    assert rates.patient_calls == pytest.approx(rates.page_loads * 4)
    assert rates.staff == 5000
    # audit records: sign-ins + staff reads + one per patient on each list page
    assert rates.audit_writes == pytest.approx(10.417 + 62.5 + 4.167 * 20, rel=1e-3)
    # sensors send around the clock: no peak factor
    assert rates.sensor_batches == pytest.approx(100_000 * 4 / 3600)
    assert rates.readings == rates.sensor_batches * 15


def test_rates_scale_with_the_population_and_the_file_is_the_default():
    one, ten = peak_rates(patients=1_000_000), peak_rates(patients=10_000_000)
    assert ten.audit_writes == pytest.approx(10 * one.audit_writes)
    assert peak_rates() == peak_rates(load(), patients=load()["patients"])
