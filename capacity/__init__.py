"""The capacity and cost model: workload.yaml (what the clinic does), unit_costs.json (what each
operation costs, `make unit-costs`), prices.yaml (dated list prices), model.py (the arithmetic),
settings.py (the template values it derives), `make capacity` (the report). docs/decisions.md
has the method and the figures."""
