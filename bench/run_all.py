"""Run every benchmark script under bench/ and print their figures (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["search.py", "startup.py", "extract_import.py", "merge.py", "report.py",
           "expectations.py"]


def main() -> int:
    """Each script runs in its own process so peaks and caches do not mix."""
    failed = 0
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            print(f"== {name}: not present")
            continue
        print(f"== {name}", flush=True)
        failed += subprocess.call([sys.executable, "-m", f"bench.{path.stem}"],
                                  cwd=HERE.parent) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
