"""The README's architecture diagram names every table of template.yaml and every function a
queue, stream or schedule invokes, so a piece added without its place in the picture fails here."""

from __future__ import annotations

import re

from clinic_tools import template

README = template.ROOT / "README.md"


def diagram() -> str:
    match = re.search(r"```mermaid\n(.*?)```", README.read_text(), re.S)
    assert match, "README.md has no Mermaid diagram"
    return match.group(1)


def test_every_table_is_a_node_of_the_diagram() -> None:
    nodes = set(re.findall(r"\[\(([A-Za-z]+)\)\]", diagram()))
    tables = {name.removesuffix("Table") for name in template.resources("AWS::DynamoDB::Table")}
    assert tables, "no tables found in template.yaml"
    assert tables - nodes == set(), f"tables missing from the README diagram: {sorted(tables - nodes)}"


def _target(value: object) -> str:
    """The logical id behind ``!Ref X`` or ``!GetAtt X.Arn``."""
    assert isinstance(value, dict), value
    ref = value.get("Ref") or value.get("Fn::GetAtt", [None])[0]
    assert isinstance(ref, str), value
    return ref


def test_every_asynchronous_path_is_drawn() -> None:
    """Each queue, stream and schedule that invokes a function: its function is a node, and a
    queue source is drawn as a queue node."""
    text = diagram()
    queues = set(re.findall(r"\[\[([A-Za-z]+)\]\]", text))
    mappings = template.resources("AWS::Lambda::EventSourceMapping").values()
    schedules = template.resources("AWS::Scheduler::Schedule").values()
    assert mappings and schedules, "template.yaml has no event source mapping or no schedule"
    for mapping in mappings:
        props = mapping["Properties"]
        assert _target(props["FunctionName"]) in text
        source = _target(props["EventSourceArn"])
        if template.load()["Resources"][source]["Type"] == "AWS::SQS::Queue":
            assert source in queues, f"{source} is not drawn as a queue"
    for schedule in schedules:
        assert _target(schedule["Properties"]["Target"]["Arn"]) in text
