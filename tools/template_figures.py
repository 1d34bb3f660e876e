#!/usr/bin/env python3
"""How much of the template is written by hand, and how much of that repeats itself, at a git
revision (docs/decisions.md quotes these figures).

Usage:
    python tools/template_figures.py [REV ...]     # default HEAD

Written by hand: template.yaml where it is not generated; else template/*.yaml and every
functions/*/*/function.yaml. A line repeats when the same text (leading and trailing white space
stripped) stands 10 times or more among the non-blank lines of those files.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from fnmatch import fnmatch

REPEATED = 10
SOURCES = ("template/*.yaml", "functions/*/*/function.yaml")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def hand_written(rev: str) -> list[str]:
    files = git("ls-tree", "-r", "--name-only", rev).splitlines()
    sources = [f for f in files if any(fnmatch(f, pattern) for pattern in SOURCES)]
    return sources or ["template.yaml"]


def figures(rev: str) -> str:
    paths = hand_written(rev)
    lines = [line for path in paths for line in git("show", f"{rev}:{path}").splitlines()]
    text = [line.strip() for line in lines if line.strip()]
    counts = Counter(text)
    repeated = sum(1 for line in text if counts[line] >= REPEATED)
    return (f"{rev}: {len(paths)} file(s), {len(lines)} lines, {len(text)} non-blank, "
            f"{repeated} ({100 * repeated / len(text):.1f}%) standing {REPEATED}+ times")


if __name__ == "__main__":
    for rev in sys.argv[1:] or ["HEAD"]:
        print(figures(rev))
