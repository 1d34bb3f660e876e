"""The scripts of tools/, imported by path for their tests (tools/ is a folder of scripts, not a
package)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from clinic_tools import template


def load(name: str) -> ModuleType:
    """tools/<name>.py as a module, loaded once."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, template.ROOT / "tools" / f"{name}.py")
        assert spec and spec.loader, name
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules[name]
