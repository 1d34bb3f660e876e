"""Property: for any sequence of FHIR Bundles (multi-patient, mixed units, unknown MRNs and codes,
units without an exact conversion, replays of earlier Bundles), the summary equals a recompute
from the stored readings, and exactly the Observations reported accepted are stored."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic import aws
from clinic.repositories import dynamo, users_table
from clinic.repositories import patient_identifiers_table as identifiers
from clinic.services import ingest
from tests.integration.test_fhir_ingest import MRN, observation, stored
from tests.integration.test_ingest_invariant import assert_summary_is_a_recompute
from tests.support.data import create_users
from tests.support.dynamo import recreate_tables

PATIENTS = {"fhir-inv-a": "MRN-A", "fhir-inv-b": "MRN-B"}
# (LOINC, unit, values): convertible, same-unit, not convertible, unknown code
KINDS = [("2345-7", "mg/dL", (70, 88, 130)), ("15074-8", "mmol/L", (3.9, 5.0, 7.8)), ("2093-3", "mmol/L", (4.0, 6.2)),
         ("4548-4", "%", (5.0, 6.9)), ("4548-4", "mmol/mol", (48,)), ("99999-9", "mg/dL", (1,))]
TIMES = ["2026-03-01T08:00:00Z", "2026-03-02T08:00:00Z", "2026-03-02T09:30:00-05:00"]

# One Observation: which kind, value, time, patient (or an unknown MRN), and the lab's id for it.
entry = st.tuples(st.integers(0, len(KINDS) - 1), st.integers(0, 2), st.integers(0, len(TIMES) - 1),
                  st.sampled_from(["MRN-A", "MRN-B", "MRN-NOBODY"]), st.integers(0, 7))
bundles = st.lists(st.lists(entry, min_size=1, max_size=6), min_size=1, max_size=5)


def build(entries):
    resources = []
    for kind, value, when, mrn, lab_id in entries:
        loinc, unit, values = KINDS[kind]
        # The lab's id fixes the content: the same id always carries the same Observation.
        resources.append(observation(f"{mrn}-{kind}-{value % len(values)}-{when}-{lab_id}", loinc,
                                     values[value % len(values)], unit, mrn=mrn, at=TIMES[when]))
    return {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": r} for r in resources]}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bundles, st.lists(st.integers(0, 4), max_size=3))
def test_stats_equal_a_recompute_after_any_fhir_submissions_and_replays(tables, sent, replays):
    recreate_tables(aws.dynamodb())
    create_users(*PATIENTS)
    for user_id, mrn in PATIENTS.items():
        dynamo.write([users_table.identifiers_update_action(user_id, [{"system": MRN, "value": mrn}], None),
                      identifiers.claim_action(MRN, mrn, user_id)])
    accepted: dict[str, set[str]] = {user_id: set() for user_id in PATIENTS}
    for entries in sent + [sent[n % len(sent)] for n in replays]:
        results = ingest.ingest_bundle(build(entries))
        assert all(r.outcome.value in ("accepted", "duplicate", "rejected") for r in results)
        by_mrn = {mrn: user_id for user_id, mrn in PATIENTS.items()}
        for result, (_, _, _, mrn, _) in zip(results, entries, strict=True):
            if result.outcome.value == "accepted":
                accepted[by_mrn[mrn]].add(result.reading_id)
    for user_id in PATIENTS:
        assert_summary_is_a_recompute(user_id)
        assert len(stored(user_id)) == len(accepted[user_id])
