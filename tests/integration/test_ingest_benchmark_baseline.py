"""The ingest benchmark compares like with like: its put-and-update-per-reading baseline ends with
the same summaries as the ingest function on the same workload (new, duplicate and late readings)."""

from benchmarks import bench_ingest
from clinic.repositories import biomarker_summary_table
from tests.support.data import DAY_MS, NOW_MS, create_users, ingest_reading, sensor_and_lab_batch

COUNTERS = ("total", "optimal", "inRange", "outOfRange")


def summaries(users):
    out = {}
    for user in users:
        stats = biomarker_summary_table.get_stats(user) or {}
        out[user] = {k: stats.get(k, 0) for k in COUNTERS}
    return out


def workload(users):
    first = sensor_and_lab_batch(users, 40, NOW_MS - DAY_MS)
    late = [ingest_reading(u, "Continuous Glucose (CGM)", 250, NOW_MS - 2 * DAY_MS, rid=f"{u}-late") for u in users]
    return [first, first[:10] + late, sensor_and_lab_batch(users, 36, NOW_MS - DAY_MS // 2)]


def test_the_baseline_computes_the_same_summaries_as_ours(tables):
    ours_users, base_users = ["bench-ours-1", "bench-ours-2"], ["bench-base-1", "bench-base-2"]
    create_users(*ours_users, *base_users)
    ours_counts, base_counts = [], []
    for ours_batch, base_batch in zip(workload(ours_users), workload(base_users), strict=True):
        ours_counts.append(bench_ingest.ours(ours_batch))
        base_counts.append(bench_ingest.baseline_ingest(base_batch))
    assert [(c["accepted"], c["duplicate"]) for c in ours_counts] == \
           [(c["accepted"], c["duplicate"]) for c in base_counts]
    assert list(summaries(ours_users).values()) == list(summaries(base_users).values())
    assert summaries(ours_users)["bench-ours-1"]["total"] == 32  # 30 lab biomarkers, CGM, heart rate
