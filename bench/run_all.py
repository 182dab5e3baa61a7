"""Every benchmark, one table: `make bench` (scripts/bench.sh) runs this.

    .venv/bin/python bench/run_all.py                  # the published figures (about 25 min)
    .venv/bin/python bench/run_all.py --quick          # 1,000 and 10,000 badges (about 5 min)
    .venv/bin/python bench/run_all.py --record         # and write the table into BENCHMARKS.md

On one bench centre (bench/centre.py), in order: bulk issuance of 10,000 and then 100,000
completions (bench/bulk_issuance.py), which leaves 110,000 issued badges; the verification page
and hosted JSON under load against them (bench/verification_load.py); a certificate and a baked
image of one of them (bench/documents_bench.py). Then the list pages' query counts at 10 and
1,000 rows, in a test database of their own (bench/pages_bench.py, a separate process). Exits 1
when a target is not met.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import report
from report import Figure, say

ROOT = Path(__file__).resolve().parent.parent
# The bench centre points this process at its own settings and database; the pages benchmark
# runs in the environment this command was started with.
STARTED_WITH = dict(os.environ)
BEGIN, END = "<!-- results: begin -->", "<!-- results: end -->"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 badges")
    parser.add_argument("--record", action="store_true", help="write the table to BENCHMARKS.md")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per measure")
    parser.add_argument("--sizes", type=int, nargs="+", help="cohort sizes (a smoke test)")
    args = parser.parse_args()
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [10_000, 100_000])

    import bulk_issuance
    import documents_bench
    import verification_load
    from centre import Centre

    figures = []
    with Centre() as centre:
        figures += bulk_issuance.run(centre, sizes)
        figures += verification_load.run(centre, seconds=args.seconds, rounds=args.rounds)
        figures += documents_bench.run()
    figures += pages_figures()

    report.print_table(figures)
    if args.record:
        record(figures, quick=args.quick)
    sys.exit(0 if report.all_met(figures) else 1)


def pages_figures() -> list[Figure]:
    """Run bench/pages_bench.py in its own process (it needs Django's test settings)."""
    say("List pages: query counts at 10 and 1,000 rows")
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**STARTED_WITH, "BENCH_FIGURES_JSON": out.name}
        env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "pages_bench.py")],
            env=env, check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            return [Figure(**row) for row in json.loads(Path(out.name).read_text() or "[]")]
        except ValueError:
            failed = Figure("List pages: queries", "pages_bench.py", "did not finish", met=False)
            return [failed]


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    server = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"PostgreSQL {server or '?'}, Redis on 127.0.0.1"
    )


def record(figures, *, quick):
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    command = "make bench" + (" ARGS=--quick" if quick else "")
    block = "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` on {machine()}.",
            "",
            report.markdown(figures),
            END,
        ]
    )
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
    say(f"Recorded in {path}")


if __name__ == "__main__":
    main()
