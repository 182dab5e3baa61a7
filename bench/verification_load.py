"""Benchmark 1: the verification page and the hosted assertion JSON under load.

    .venv/bin/python bench/verification_load.py                 # issues 100,000 badges first
    .venv/bin/python bench/verification_load.py --badges 5000   # a quicker look

On the bench centre (bench/centre.py: production settings, gunicorn with
config/gunicorn.conf.py, PostgreSQL, Redis), with at least ``--badges`` issued badges in the
database, wrk (Debian's) on 127.0.0.1 opens 16 connections for a fixed time against:

- a bare Django view returning a constant page through the same gunicorn, middleware and
  settings (bench/urls.py): the baseline;
- the verification page (``/public/assertions/<id>``, as a browser asks for it) and the hosted
  Open Badges 2.0 assertion (``/public/assertions/<id>.json``), each for badges drawn at random
  from 10,000 of them (employers checking many learners), and each for one badge (one shared
  post bringing thousands of employers to the same badge).

This machine's speed varies from second to second (a shared virtual machine), so each measure
is taken in rounds (5 by default), each round a run of the bare view and then of the measure,
back to back; the figures are the medians, and the ratio is the median of the rounds' ratios.
Each wrk run is preceded by a warm-up a third as long. Requests per second, the 99th percentile
of latency and the number of non-2xx answers come from wrk. The targets (at least 50% of the
bare view's requests per second, p99 within 100 ms) are held on the shared badge, the case they
are written for; the 10,000 random badges, nearly every request a first visit to its badge,
are reported beside them. The SQL queries a request makes are counted in-process (Django's test
client, same settings and database), for a badge not yet seen (nothing cached) and again.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from report import Figure, print_table, say  # bench/ is on sys.path when a script in it runs

CONNECTIONS = 16
THREADS = 2
SPREAD = 10_000
LUA = """
local paths = {}
init = function(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept"] = os.getenv("WRK_ACCEPT")})
end
"""
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = "application/ld+json, application/json"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--badges", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of runs per measure")
    args = parser.parse_args()
    from centre import Centre

    with Centre() as centre:
        ensure_badges(centre, args.badges)
        figures = run(centre, seconds=args.seconds, rounds=args.rounds)
    print_table(figures)


def ensure_badges(centre, count):
    """Issue badges through the worker until the centre holds `count` of them."""
    from bulk_issuance import issue_cohort
    from cohort import course_with_badge

    from badges.models import Assertion

    missing = count - Assertion.objects.count()
    if missing > 0:
        course, plan, admin = course_with_badge()
        worker = centre.worker(concurrency=2)
        issue_cohort(centre, worker, course, plan, admin, missing, "load")
        centre.stop(worker)


def wrk_binary():
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is not installed: run `scripts/bootstrap.sh bench` (apt-get install wrk).")
    return found


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url_base, paths, accept, seconds):
    """Requests per second, p99 in ms, non-2xx count and total requests of one wrk run."""
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp, "paths.lua"), Path(tmp, "paths.txt")
        script.write_text(LUA)
        listing.write_text("\n".join(paths) + "\n")
        env = {**os.environ, "WRK_PATHS": str(listing), "WRK_ACCEPT": accept}
        argv = [wrk_binary(), f"-t{THREADS}", f"-c{CONNECTIONS}", "--latency", "-s", str(script)]
        subprocess.run(  # warm-up: workers' caches, connections, the QR codes of these badges
            [*argv, f"-d{max(seconds // 3, 3)}s", url_base], env=env, check=True,
            capture_output=True,
        )  # fmt: skip
        out = subprocess.run(
            [*argv, f"-d{seconds}s", url_base], env=env, check=True, capture_output=True,
            text=True,
        ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p99": p99,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
        "total": total,
    }


def queries_per_request(assertion_id):
    """(page, JSON) SQL queries for one badge: the most of a first (uncached) and a second visit."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for name, path, accept in [
        ("page", f"/public/assertions/{assertion_id}", HTML),
        ("json", f"/public/assertions/{assertion_id}.json", JSON),
    ]:
        seen = []
        cache.clear()
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, HTTP_ACCEPT=accept)
            assert response.status_code == 200, (path, response.status_code)
            seen.append(len(captured))
        counts[name] = max(seen)
    return counts["page"], counts["json"]


def _median(values):
    return statistics.median(values)


def side_by_side(base, paths, accept, seconds, rounds):
    """`rounds` pairs of (bare view, the paths `paths()` gives for that round), back to back so
    both see the same machine; the medians of the pairs."""
    pairs = [
        (wrk(base, ["/bench/bare/"], HTML, seconds), wrk(base, paths(), accept, seconds))
        for _ in range(rounds)
    ]
    bare = {k: _median([b[k] for b, _ in pairs]) for k in ("rps", "p99")}
    this = {k: _median([t[k] for _, t in pairs]) for k in ("rps", "p99")}
    return {
        "bare": bare,
        "this": this,
        "ratio": _median([t["rps"] / b["rps"] for b, t in pairs]),
        "requests": sum(t["total"] for _, t in pairs),
        "bad": sum(t["bad"] for _, t in pairs),
        "socket_errors": [t["socket_errors"] for _, t in pairs if t["socket_errors"]],
    }


def run(centre, seconds=10, rounds=3) -> list[Figure]:
    from badges.models import Assertion

    total = Assertion.objects.count()
    ids = [str(pk) for pk in Assertion.objects.values_list("pk", flat=True)]
    shared = random.choice(ids)
    centre.gunicorn()
    base = centre.site_url
    say(f"Verification under load: {total:,} badges; counting queries")
    page_q, json_q = queries_per_request(random.choice(ids))

    def one(suffix):
        return lambda: [f"/public/assertions/{shared}{suffix}"]

    def fresh(suffix):  # a new draw each round: nearly every request a first visit to its badge
        return lambda: [
            f"/public/assertions/{i}{suffix}" for i in random.sample(ids, min(SPREAD, len(ids)))
        ]

    spread = f"{min(SPREAD, len(ids)):,} badges at random"
    runs = [
        # (what, paths per round, Accept, held to the targets?)
        ("verification page, one shared badge", one(""), HTML, True),
        ("hosted assertion JSON, one shared badge", one(".json"), JSON, True),
        (f"verification page, {spread}", fresh(""), HTML, False),
        (f"hosted assertion JSON, {spread}", fresh(".json"), JSON, False),
    ]
    name = "Verification under load"
    figures = []
    for label, paths, accept, held in runs:
        say(f"Verification under load: {label} ({rounds} rounds beside the bare view)")
        result = side_by_side(base, paths, accept, seconds, rounds)
        clean = result["bad"] == 0 and not result["socket_errors"]
        this, bare = result["this"], result["bare"]
        figures.append(
            Figure(
                name,
                f"{label}: req/s ({total:,} badges in the database)",
                f"{this['rps']:,.0f} req/s ({result['requests']:,} requests, "
                f"{result['bad']} not 2xx)",
                "≥ 50% of bare" if held else "",
                f"bare view {bare['rps']:,.0f} req/s: {result['ratio']:.0%}",
                (result["ratio"] >= 0.5 and clean) if held else None,
            )
        )
        figures.append(
            Figure(name, f"{label}: p99 latency, {CONNECTIONS} connections",
                   f"{this['p99']:.1f} ms", "≤ 100 ms" if held else "",
                   f"bare view p99 {bare['p99']:.1f} ms", this["p99"] <= 100 if held else None)
        )  # fmt: skip
    figures += [
        Figure(name, "SQL queries per request: verification page", str(page_q), "≤ 3",
               "first visit (no cache) and again", page_q <= 3),
        Figure(name, "SQL queries per request: hosted assertion JSON", str(json_q), "≤ 3",
               "first visit (no cache) and again", json_q <= 3),
    ]  # fmt: skip
    return figures


if __name__ == "__main__":
    main()
