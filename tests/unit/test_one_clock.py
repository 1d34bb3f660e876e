"""The functions read the wall clock in one place, ``clinic.clock``: one seam for tests to move time
through, and one answer to "what time is it" inside a request. (Interval timers such as
``time.monotonic`` measure durations, not the time, and are not this rule's business.)"""

from __future__ import annotations

import ast
from pathlib import Path

from clinic import clock
from clinic_tools import template

CLOCK = template.ROOT / "shared" / "clinic" / "clock.py"
# module -> the functions of it that read the wall clock
WALL_CLOCK = {"time": {"time", "time_ns"}, "datetime": {"now", "utcnow", "today"}, "date": {"today"}}


def wall_clock_reads(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in WALL_CLOCK.get(node.value.id, ()):
                found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"{node.lineno}: from time import {a.name}" for a in node.names if a.name in WALL_CLOCK["time"]]
    return found


def function_code() -> list[Path]:
    return sorted([*(template.ROOT / "shared").rglob("*.py"), *(template.ROOT / "functions").rglob("*.py")])


def test_the_scan_recognises_every_way_of_reading_the_wall_clock() -> None:
    source = "import time\nfrom datetime import date, datetime\nfrom time import time_ns\n" \
             "a = time.time()\nb = datetime.now(UTC)\nc = date.today()\nd = time.monotonic()\n"
    assert wall_clock_reads(source) == ["3: from time import time_ns", "4: time.time", "5: datetime.now",
                                        "6: date.today"]


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    files = function_code()
    assert CLOCK in files
    readers = {f"{path.relative_to(template.ROOT)}:{where}" for path in files if path != CLOCK
               for where in wall_clock_reads(path.read_text())}
    assert readers == set(), "read the time through clinic.clock instead:\n" + "\n".join(sorted(readers))


def test_moving_the_clock_moves_every_reading_of_it(monkeypatch) -> None:
    monkeypatch.setattr(clock, "now_ms", lambda: 1_800_000_000_999)
    assert clock.now_s() == 1_800_000_000
