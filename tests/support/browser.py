"""Running one of web/e2e/'s browser scripts from a test: the script drives headless Chromium
against a running stack, prints one JSON report line and exits non-zero on the first failed
expectation. ``run`` writes its config, runs it without the test process's AWS and stack settings
(the page knows only what its config says), and returns the report once it says ``ok``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "web" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
STACK_SETTINGS = ("AWS_", "CLINIC_", "USERS_", "POWERTOOLS_")


def require() -> None:
    """Under CI (CI set) a missing browser or web build fails the run; on a developer machine
    without them the test skips and says why."""
    missing = [what for what, ok in (
        (f"chromium at {CHROMIUM} (apt-get install -y chromium)", os.access(CHROMIUM, os.X_OK)),
        ("node", shutil.which("node") is not None),
        ("web/node_modules (make web)", (ROOT / "web" / "node_modules" / "playwright-core").is_dir()),
        ("web/dist (make web)", (ROOT / "web" / "dist" / "index.html").is_file()),
    ) if not ok]
    if not missing:
        return
    reason = "the browser test needs " + ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def clean_env() -> dict[str, str]:
    """This process's environment without the stack's settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(STACK_SETTINGS)}


def run(script: str, config: Mapping[str, Any], tmp_path: Path, *, timeout: float = 300,
        env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run ``web/e2e/<script>`` with ``config``; its report, asserted ``ok``."""
    require()
    path = tmp_path / f"{Path(script).stem}.config.json"
    path.write_text(json.dumps(config))
    done = subprocess.run(["node", str(E2E / script), str(path)], cwd=ROOT,
                          env=dict(env) if env is not None else clean_env(),
                          capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no report from the browser script:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(lines[-1])
    assert done.returncode == 0 and report["ok"], f"{report}\n{done.stderr[-2000:]}"
    return report
