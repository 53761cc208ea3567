"""Every benchmark in one command: the large office, each module's side-by-side measurements
(pages and exports against their baselines, with query counts) and the load test, then one
summary table of ratios in bench/results.md.

    .venv/bin/python bench/run_all.py [--scale 1.0] [--quick]

``--quick`` runs the large office, approvals and load test small (budget and procurement have
fixed sizes) to check the scripts work; the
figures in the README come from a full run. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


def run(args: list[str]) -> float:
    print("$", " ".join(args), flush=True)
    started = time.perf_counter()
    subprocess.run([PY, *args], cwd=HERE.parent, check=True)
    return time.perf_counter() - started


def ratio_rows(path: Path) -> list[str]:
    """The table rows of a module's result file that carry a ratio (×) or a query count."""
    if not path.exists():
        return [f"| {path.name} | (missing) | | |"]
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not re.match(r"^\|[-:| ]+\|$", line) and ("×" in line or re.search(r"\d", line)):
            rows.append(line)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scale = 0.02 if args.quick else args.scale
    took = {
        "large office": run(["bench/seed_large.py", "--scale", str(scale)]),
        "approvals": run(["bench/approvals_bench.py", "--cases", str(int(100_000 * scale)), "--repeat", "7" if args.quick else "21"]),
        "budget": run(["bench/budget_bench.py"]),
        "procurement": run(["bench/procurement_bench.py"]),
        "load test": run(["bench/load_test.py", "--users", "10" if args.quick else "50",
                          "--requests", "500" if args.quick else "6000", "--duration", "30" if args.quick else "120"]),
    }
    lines = [f"## Summary of run_all.py (scale {scale}, {time.strftime('%Y-%m-%d %H:%M')})", ""]
    for name in ("approvals", "budget", "procurement"):
        lines += [f"### {name}", "", *ratio_rows(HERE / f"results_{name}.md"), ""]
    lines += ["| step | seconds |", "|---|---:|", *[f"| {k} | {v:.0f} |" for k, v in took.items()], ""]
    text = "\n".join(lines)
    results = HERE / "results.md"
    old = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    old = re.sub(r"\n## Summary of run_all\.py.*?(?=\n## |\Z)", "", old, flags=re.S)
    results.write_text(old.rstrip() + "\n\n" + text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
