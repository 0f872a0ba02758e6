"""``python -m bench.mutate``: mutation testing of the advice code with mutmut, then the kill rate.

The modules and tests are set in ``[tool.mutmut]`` of pyproject.toml. mutmut works in ``mutants/`` (git-ignored).
The kill rate counts a mutant as killed when a test failed or timed out on it; "no tests" mutants (code no selected
test runs) count as survivors, so the figure is not flattered. Survivors are listed per function.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

BIN = Path(sys.executable).parent / "mutmut"


def results() -> dict[str, str]:
    """mutant name → status, from ``mutmut results --all true``."""
    out = subprocess.run([str(BIN), "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    rows = [line.strip().rsplit(": ", 1) for line in out.splitlines() if ": " in line]
    return {name: status for name, status in rows}


def main() -> None:
    subprocess.run([str(BIN), "run", "--max-children", "2"], check=False, stdout=subprocess.DEVNULL)
    statuses = results()
    counts = Counter(statuses.values())
    killed = counts["killed"] + counts["timeout"]
    total = sum(n for s, n in counts.items() if s not in ("skipped", "not checked"))
    print("mutmut over the advice code:", dict(counts))
    print(f"killed {killed} of {total}: {100.0 * killed / max(total, 1):.1f} %")
    by_function = Counter(n.split("__mutmut_")[0] for n, s in statuses.items() if s in ("survived", "no tests"))
    for name, n in by_function.most_common(15):
        print(f"  {n:4d} surviving in {name}")


if __name__ == "__main__":
    main()
