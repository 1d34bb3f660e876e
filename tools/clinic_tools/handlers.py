"""Loading a function's handler from the template, as Lambda does, so that every function of the
template can run in one process: the local runner, the tests, the benchmarks and the OpenAPI
generator call the same code Lambda runs."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from clinic_tools import template


def load_handler(logical_id: str) -> Any:
    """Import a function's handler the way Lambda does (its CodeUri on the path), under a unique
    module name so that every function's ``app.py`` can live in one process."""
    fn = template.functions()[logical_id]
    module_name, attr = fn.handler.rsplit(".", 1)
    unique = f"lambda_{logical_id}"
    if unique not in sys.modules:
        spec = importlib.util.spec_from_file_location(unique, fn.code_uri / f"{module_name}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {fn.code_uri}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        spec.loader.exec_module(module)
    return getattr(sys.modules[unique], attr)


def load_app(logical_id: str) -> Any:
    """The Powertools resolver of an HTTP function (for OpenAPI generation and tests)."""
    load_handler(logical_id)
    return sys.modules[f"lambda_{logical_id}"].app
