"""The API's OpenAPI 3.1 document, generated from the code: every HTTP function's Powertools
resolver describes its own route (parameters, bodies, responses from the models); this merges
them into one document, checks that the routes are exactly the template's and that two functions
never describe one schema differently.

  python -m clinic_tools.openapi            print the document
  python -m clinic_tools.openapi --write    write docs/openapi.json (what `make openapi` runs)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from functools import cache
from typing import Any

from clinic_tools import handlers, template

DOCUMENT = template.ROOT / "docs" / "openapi.json"
TITLE = "Clinic dashboard API"
VERSION = "1.0.0"
SECURITY_SCHEME = "cognitoIdToken"
# Powertools documents its own 422 validation error; this API answers 400 in its error shape.
POWERTOOLS_ONLY_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


class OpenApiConflict(ValueError):
    """Two functions describe the same path or schema differently, or the routes differ from the template's."""


def build() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    routes = {(r.path, r.method.lower()): r for r in template.routes()}
    for logical_id in dict.fromkeys(r.function for r in routes.values()):
        part = json.loads(handlers.load_app(logical_id).get_openapi_json_schema(title=TITLE, version=VERSION))
        for path, operations in part.get("paths", {}).items():
            for method, operation in operations.items():
                route = routes.get((path, method))
                if route is None or route.function != logical_id:
                    raise OpenApiConflict(
                        f"{logical_id} serves {method.upper()} {path}, which the template does not route to it"
                    )
                if method in paths.get(path, {}):
                    raise OpenApiConflict(f"{method.upper()} {path} is described twice")
                operation["responses"].pop("422", None)
                if "204" in operation["responses"]:  # No Content has no body, whatever the return annotation
                    operation["responses"]["204"].pop("content", None)
                operation["operationId"] = logical_id.removesuffix("Function")
                operation["security"] = [{SECURITY_SCHEME: []}] if route.authorized else []
                paths.setdefault(path, {})[method] = operation
        for name, schema in part.get("components", {}).get("schemas", {}).items():
            if name in POWERTOOLS_ONLY_SCHEMAS:
                continue
            if name in schemas and schemas[name] != schema:
                raise OpenApiConflict(f"schema {name} differs between functions")
            schemas[name] = schema
    missing = sorted(f"{m.upper()} {p}" for p, m in routes if m not in paths.get(p, {}))
    if missing:
        raise OpenApiConflict(f"routes without a description: {', '.join(missing)}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "The clinic dashboard's HTTP API. Every route takes a Cognito ID token in "
            "`Authorization`; identity comes only from it. Errors are "
            '`{"error": {"code", "message", "details"}}`.',
        },
        "paths": {p: dict(sorted(paths[p].items())) for p in sorted(paths)},
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "A Cognito ID token (optionally prefixed `Bearer `)",
                }
            },
        },
    }


@cache
def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {DOCUMENT.relative_to(template.ROOT)}")
    args = parser.parse_args(argv)
    # Each function checks its settings when imported (its cold start); describing a route reads
    # none of their values, so every variable is given a stand-in: the resource's logical id.
    stand_ins = {name: name for name in template.load()["Resources"]}
    for name, value in template.runtime_environment({**template.parameter_defaults(), **stand_ins}).items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("CURSOR_KEY", "stand-in-cursor-key-0123456789abcdef")
    if args.write:
        DOCUMENT.write_text(render())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
