"""template.yaml's per-method throttles, WebSocket stage throttle, workers' reserved concurrency and
the ingest queue's batch are the values `make capacity` derives for the workload the template is
sized for (capacity/workload.yaml `template_sized_for`): change the workload or the unit costs and
this fails until the template follows."""

from __future__ import annotations

from capacity import model, settings
from clinic_tools import template


def test_the_template_has_the_settings_the_capacity_model_derives():
    # Given the model of the workload the template is sized for
    derived = settings.derived(model.build(settings.sized_for()))

    # When the template's values are read
    actual = settings.template_values(template.load())

    # Then every one of them is the derived one (and none is left out)
    assert {k: v for k, v in actual.items() if derived.get(k) != v} == {}
    assert actual.keys() == derived.keys()


def test_method_settings_paths_decode_to_the_routes_they_throttle():
    methods = settings.throttled_methods(template.load())
    routes = {(r.path, r.method) for r in template.routes()} | {("/*", "*")}
    assert set(methods) <= routes
    assert ("/me/export", "GET") in methods
