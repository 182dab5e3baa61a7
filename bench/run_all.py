"""Every benchmark, one table: `make bench` (scripts/bench.sh) runs this.

    .venv/bin/python bench/run_all.py                  # the published figures (about 25 min)
    .venv/bin/python bench/run_all.py --quick          # 1,000 and 10,000 badges (about 10 min)
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
    parser.add_argument("--rounds", type=int, default=5, help="wrk runs per measure")
    parser.add_argument("--sizes", type=int, nargs="+", help="cohort sizes (a smoke test)")
    args = parser.parse_args()
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [10_000, 100_000])

    import bulk_issuance
    import documents_bench
    import verification_load
    from centre import Centre

    figures, described = [], "this machine"
    try:
        with Centre() as centre:
            described = machine()
            figures += attempt("Bulk issuance", bulk_issuance.run, centre, sizes)
            figures += attempt(
                "Verification under load", verification_load.run, centre,
                seconds=args.seconds, rounds=args.rounds,
            )  # fmt: skip
            figures += attempt("Certificates and images", documents_bench.run)
        figures += pages_figures()
    finally:  # whatever was measured is printed, even when a later benchmark fails
        report.print_table(figures)
        if args.record and figures:
            record(figures, quick=args.quick, machine_text=described)
    sys.exit(0 if figures and report.all_met(figures) else 1)


def attempt(name, benchmark, *args, **kwargs) -> list[Figure]:
    """The benchmark's figures, or one that says it failed and why (the others still run)."""
    try:
        return benchmark(*args, **kwargs)
    except (Exception, SystemExit) as error:
        say(f"{name} failed: {error!r}")
        return [Figure(name, "the benchmark itself", "failed", "runs to the end", "", False)]


def pages_figures() -> list[Figure]:
    """Run bench/pages_bench.py in its own process (it needs Django's test settings)."""
    say("List pages: query counts at 10 and 1,000 rows")
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {**STARTED_WITH, "BENCH_FIGURES_JSON": out.name}
        env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        finished = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "pages_bench.py")],
            env=env, check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            figures = [Figure(**row) for row in json.loads(Path(out.name).read_text())]
            if not figures or finished.returncode not in (0, 1):  # 1: a target not met
                raise ValueError(finished.returncode)
            return figures
        except ValueError:
            failed = Figure("List pages: queries", "pages_bench.py", "did not finish", met=False)
            return [failed]


def machine() -> str:
    """The machine, read while the bench centre's database is open."""
    from django.db import connection

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    server = connection.cursor().connection.server_version  # e.g. 150019
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
        f"PostgreSQL {server // 10000}.{server % 100}, Redis on 127.0.0.1"
    )


def record(figures, *, quick, machine_text):
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    command = "make bench" + (" ARGS=--quick" if quick else "")
    block = "\n".join(
        [
            BEGIN,
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` on {machine_text}.",
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
