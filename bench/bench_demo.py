"""Time to build the national demo dataset from nothing, against migrating an empty database.

Baseline (same run): ``ocop migrate`` into an empty SQLite file, which loads the geography and
taxonomies and is part of every start. Target: the whole ``ocop demo --no-serve`` under 60 s
on a 2-core machine.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 60


def _run(args, data_dir):
    env = {**os.environ, "OCOP_ENV": "development", "OCOP_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ocop", *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        baseline = _run(["migrate", "-v", "0"], Path(tmp) / "migrate-only")
        demo = _run(["demo", "--no-serve"], Path(tmp) / "demo")
    verdict = "OK" if demo < TARGET_SECONDS else "OVER TARGET"
    print("demo dataset (10,000 producers, 18,000 products, SQLite):")
    print(f"  baseline migrate       {baseline:7.1f} s")
    print(
        f"  ocop demo --no-serve   {demo:7.1f} s  x{demo / baseline:.1f} baseline  "
        f"(target < {TARGET_SECONDS} s: {verdict})"
    )
    return {"seconds": demo}


if __name__ == "__main__":
    main()
