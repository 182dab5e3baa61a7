"""One shape for every benchmark's figures, so `bench/run_all.py` can print them in one table.

A benchmark returns a list of `Figure`s: what was measured, the value with its unit, the target
it is held to (or none), the baseline measured in the same run (or none) and whether the target
was met. Printing is the same everywhere: `print_table(figures)`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    benchmark: str  # "Verification under load", "Bulk issuance", ...
    measure: str  # "verification page: requests/s"
    value: str  # "1,234 req/s"
    target: str = ""  # "≥ 50% of bare view", "" when only reported
    baseline: str = ""  # "bare Django view 2,400 req/s (51%)"
    met: bool | None = None  # None: reported, not held to a target

    @property
    def verdict(self):
        return {True: "met", False: "NOT MET", None: ""}[self.met]


COLUMNS = ("Benchmark", "Measure", "Value", "Target", "Baseline (same run)", "")


def table(figures) -> str:
    rows = [COLUMNS] + [
        (f.benchmark, f.measure, f.value, f.target, f.baseline, f.verdict) for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(figures) -> str:
    lines = ["| " + " | ".join(COLUMNS[:-1]) + " | Met |", "|" + "---|" * len(COLUMNS)]
    for f in figures:
        cells = (f.benchmark, f.measure, f.value, f.target, f.baseline, f.verdict)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def print_table(figures):
    print()
    print(table(figures))
    print()


def all_met(figures) -> bool:
    return all(f.met is not False for f in figures)


_STARTED = __import__("time").monotonic()


def say(message):
    """Progress on stderr (the figures go to stdout), with the minutes:seconds since the start."""
    import sys
    import time

    elapsed = int(time.monotonic() - _STARTED)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)
