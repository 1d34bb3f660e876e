"""The local runner's side of ingest, against moto's server: queues created from template.yaml,
`clinic-local ingest FILE.jsonl` (direct invoke, or through the queue drained as Lambda's event
source mapping would) and `clinic-local simulate`."""

import contextlib
import json
import os
import uuid

import pytest

from clinic import aws, settings
from clinic.services import stats
from clinic_local import cli
from clinic_local import stack as local_stack
from clinic_tools import template
from tests.support import env
from tests.support.data import NOW_MS, create_users, ingest_reading


@pytest.fixture
def user():
    user_id = f"local-{uuid.uuid4()}"
    create_users(user_id)
    return user_id


@pytest.fixture
def running(moto_server, tmp_path):
    """A provisioned local stack (tables named as in the tests) with its state file, as `make dev`
    leaves it; the process environment is put back afterwards."""
    saved = dict(os.environ)
    sqs = local_stack.client("sqs", moto_server)
    for args in template.queue_definitions(env.TABLE_PREFIX).values():  # fresh queues for each test
        with contextlib.suppress(sqs.exceptions.QueueDoesNotExist):
            sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=args["QueueName"])["QueueUrl"])
    stack = local_stack.provision(moto_server, prefix=env.TABLE_PREFIX)
    state_file = tmp_path / "stack.json"
    stack.save(state_file)
    yield stack, state_file, sqs
    os.environ.clear()
    os.environ.update(saved)
    settings.reset()
    aws.reset()


def run(state_file, *args):
    return cli.main(["--state-file", str(state_file), *args])


def write_lines(path, lines):
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_every_queue_of_the_template_is_created_with_its_redrive_policy(running):
    stack, _, sqs = running
    assert set(stack.queues) == set(template.resources("AWS::SQS::Queue"))
    attributes = sqs.get_queue_attributes(QueueUrl=stack.queues["ReadingsIngestQueue"]["url"],
                                          AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": stack.queues["ReadingsIngestDeadLetterQueue"]["arn"], "maxReceiveCount": 5}
    assert attributes["VisibilityTimeout"] == "180"
    # and !Ref / !GetAtt of a queue resolve locally
    assert stack.refs()["ReadingsIngestQueue.Arn"] == stack.queues["ReadingsIngestQueue"]["arn"]


def test_ingest_command_invokes_the_function_and_reports_each_problem(running, user, tmp_path, capsys):
    _, state_file, _ = running
    file = write_lines(tmp_path / "readings.jsonl", [
        ingest_reading(user, rid="a"), "", ingest_reading(user, "Glucose", 5.1, unit="mmol/L", rid="b"), "not json",
        ingest_reading(user, "Heart Rate", 70, unit="bpm", rid="c"),
    ])
    assert run(state_file, "ingest", str(file)) == 1  # not all went in
    out, err = capsys.readouterr()
    assert "3 readings: 2 accepted, 0 duplicate, 1 rejected, 0 failed" in out
    assert "reading 2: unit does not match" in out
    assert "line 4: not JSON" in err
    assert stats.for_user(user).total == 2
    assert '"_aws"' not in out  # the handler's metrics stay off the terminal
    # Sending the file again: all duplicates
    run(state_file, "ingest", str(file))
    assert "0 accepted, 2 duplicate, 1 rejected" in capsys.readouterr().out


def test_ingest_through_the_queue_deletes_processed_messages_and_leaves_failed_ones(running, user, tmp_path,
                                                                                     capsys):
    stack, state_file, sqs = running
    file = write_lines(tmp_path / "readings.jsonl", [ingest_reading(user, rid=f"q{i}", at=NOW_MS - i)
                                                     for i in range(12)] + [ingest_reading("nobody-here")])
    assert run(state_file, "ingest", str(file), "--via", "queue") == 1
    assert "13 messages: 12 processed, 1 failed" in capsys.readouterr().out
    attributes = sqs.get_queue_attributes(QueueUrl=stack.queues["ReadingsIngestQueue"]["url"],
                                          AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # the failed one, back after the timeout
    assert stats.for_user(user).total == 1


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(running):
    from clinic_local import ingest
    stack, _, sqs = running
    ingest.attach(stack)
    queue = stack.queues["ReadingsIngestQueue"]["url"]
    # Given a failed message comes back at once (instead of after the 180 s visibility timeout)
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "0"})
    # When a reading for an unknown user is sent and the queue drained as Lambda keeps polling it
    ingest.send_to_queue(stack, [ingest_reading("nobody-here")])
    tally = ingest.drain(stack)
    # Then it fails each time the function gets it and, after 5 receives, moves to the dead-letter
    # queue with its body intact (with no visibility timeout the poller's own probes count as receives)
    assert tally.messages_ok == 0
    assert tally.messages_failed >= 1
    dead = sqs.receive_message(QueueUrl=stack.queues["ReadingsIngestDeadLetterQueue"]["url"])["Messages"]
    assert json.loads(dead[0]["Body"])["userId"] == "nobody-here"


def test_simulate_streams_readings_for_new_simulated_patients(running, capsys):
    _, state_file, _ = running
    assert run(state_file, "simulate", "--users", "2", "--rate", "60", "--seconds", "1") == 0
    out = capsys.readouterr().out
    assert "2 patients" in out
    assert " 0 rejected, 0 failed" in out
    from clinic_local.cli import _simulated_users
    stack = local_stack.LocalStack.load(state_file)
    for user_id in _simulated_users(stack, 2):
        assert stats.for_user(user_id).total >= 2  # glucose, heart rate, and the panel if it came


def test_commands_explain_when_no_stack_is_running(tmp_path, capsys):
    assert cli.main(["--state-file", str(tmp_path / "none.json"), "ingest", "x.jsonl"]) == 2
    assert "make dev" in capsys.readouterr().err


def _fhir_file(tmp_path, mrn):
    """The specification's glucose example (6.3 mmol/L) for the patient with ``mrn``, and an
    Observation with a code the catalog does not carry."""
    from pathlib import Path

    example = json.loads((Path(__file__).parents[1] / "fixtures" / "fhir" /
                          "observation-example-f001-glucose.json").read_text())
    unknown = {**example, "id": "x", "identifier": [{"system": "urn:lab", "value": "x"}],
               "code": {"coding": [{"system": "http://loinc.org", "code": "99999-9"}]}}
    patient = {"resourceType": "Patient", "id": "f001", "identifier": [{"system": "urn:oid:1.2.3", "value": mrn}]}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": example}, {"resource": unknown}, {"resource": patient}]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return path


def test_ingest_format_fhir_sends_a_bundle_and_reports_each_entry(running, user, tmp_path, capsys):
    _, state_file, _ = running
    from clinic.repositories import dynamo, users_table
    from clinic.repositories import patient_identifiers_table as identifiers

    mrn = f"MRN-{uuid.uuid4().hex[:8]}"
    dynamo.write([users_table.identifiers_update_action(user, [{"system": "urn:oid:1.2.3", "value": mrn}], None),
                  identifiers.claim_action("urn:oid:1.2.3", mrn, user)])
    file = _fhir_file(tmp_path, mrn)
    assert run(state_file, "ingest", "--format", "fhir", str(file)) == 0
    out = capsys.readouterr().out
    assert "2 readings: 1 accepted, 0 duplicate, 1 rejected, 0 failed" in out
    assert "entry 1: unknown_code" in out
    assert stats.for_user(user).total == 1
    # Through the queue: one message, failed (one of its entries is rejected), the reading a duplicate
    assert run(state_file, "ingest", "--format", "fhir", str(file), "--via", "queue") == 1
    assert "1 messages: 0 processed, 1 failed" in capsys.readouterr().out
    assert stats.for_user(user).total == 1
