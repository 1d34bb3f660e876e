"""The page's category filter offers the catalog's categories (web/src/biomarkers/filters.ts)."""

from __future__ import annotations

import re
from pathlib import Path

from clinic import catalog

FILTERS = Path(__file__).resolve().parents[2] / "web" / "src" / "biomarkers" / "filters.ts"


def test_the_pages_categories_are_the_catalogs():
    block = re.search(r"CATEGORIES = \[(.*?)\] as const", FILTERS.read_text(), re.S)
    assert block, "CATEGORIES not found in filters.ts"
    assert tuple(re.findall(r'"([^"]+)"', block.group(1))) == catalog.CATEGORIES
