"""Run every benchmark (or those named): python -m benchmarks [--quick] [name ...]"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.pop("AWS_ENDPOINT_URL", None)
warnings.filterwarnings("ignore", "No application metrics to publish")

from tests.support import env  # noqa: E402 - the functions' environment, as in tests

os.environ.update(env.function_environment())

from benchmarks import report  # noqa: E402
from clinic_local import motoserver  # noqa: E402

# As in the tests: moto would copy a table per transaction item, and every benchmark that records
# readings runs transactions (readings are stored in the summary transaction).
motoserver.backup_tables_once()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a smoke run)")
    parser.add_argument("names", nargs="*", help="benchmarks to run (module names without bench_)")
    args = parser.parse_args()
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen = [n for n in found if not args.names or n.removeprefix("bench_") in args.names]
    for name in chosen:
        started = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{name}")
        tables = module.run(quick=args.quick)
        for table in tables:
            print(table.render(), flush=True)
        report.save(name, tables)
        print(f"  ({name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
