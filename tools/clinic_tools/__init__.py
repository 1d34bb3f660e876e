"""What the runner, the tests, the benchmarks, the capacity model and deployment read about the
product from its sources: the template model (``template``), the handler loader (``handlers``) and
the OpenAPI generator (``openapi``). It depends on none of them: the runner (``clinic_local``)
imports it, never the other way round (tests/unit/test_tools_direction.py).
"""
