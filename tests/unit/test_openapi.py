"""docs/openapi.json is what the code generates, and it describes exactly the template's routes."""

import json

import pytest

from clinic_tools import handlers, openapi, template


def test_committed_document_matches_the_code():
    committed = openapi.DOCUMENT.read_text()
    assert committed == openapi.render(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_template_route_is_described_with_its_errors():
    document = json.loads(openapi.render())
    described = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    assert described == {(r.path, r.method) for r in template.routes()}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses
            assert {"400", "401", "500"} <= set(responses), f"{method} {path}"
            if path.startswith("/admin/"):
                assert "403" in responses, f"{method} {path}"
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"
                    }


def test_a_schema_described_two_ways_is_refused(monkeypatch):
    real = handlers.load_app

    class Twisted:
        def __init__(self, app):
            self.app = app

        def get_openapi_json_schema(self, **kwargs):
            doc = json.loads(self.app.get_openapi_json_schema(**kwargs))
            if "Appointment" in doc.get("components", {}).get("schemas", {}):
                doc["components"]["schemas"]["Appointment"]["title"] = "Something else"
            return json.dumps(doc)

    monkeypatch.setattr(
        handlers,
        "load_app",
        lambda logical_id: Twisted(real(logical_id)) if logical_id == "GetAppointmentFunction" else real(logical_id),
    )
    with pytest.raises(openapi.OpenApiConflict, match="Appointment"):
        openapi.build()


def test_the_document_uses_json_schema_keywords_only():
    # pydantic writes ge/le/gt/lt when a bound cannot become minimum/maximum: no client knows them
    def keys(node):
        if isinstance(node, dict):
            yield from node
            for value in node.values():
                yield from keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from keys(value)

    assert not {"ge", "le", "gt", "lt"} & set(keys(json.loads(openapi.render())))
