"""Benchmark 2: a whole cohort completes at once; how soon are all its badges issued and signed?

    .venv/bin/python bench/bulk_issuance.py                    # 10,000 and 100,000
    .venv/bin/python bench/bulk_issuance.py --sizes 1000       # a quick look

On its own centre (bench/centre.py: production settings, PostgreSQL, Redis, gunicorn and one
Celery worker of two processes, as production runs them), for each size N: a new offering of N
learners who have passed every assessment completes in one transaction, as a results import
completes a cohort. The clock starts when that transaction commits and stops when every one of
the N badges is issued and signed (Open Badges 3.0, eddsa-rdfc-2022 and VC-JWT), which is when its
public URLs serve it. Then every badge (10,000) or a random 2,000 of a larger cohort is fetched
from its public URL and verified through the public URLs alone (bench/public_check.py).

Throughout, the worker's resident memory (its main process and pool) is sampled; the peak is
reported per size. The baselines, measured in the same run: one raw Ed25519 signature
(`cryptography`) and one committed insert of an issued badge's row into PostgreSQL.
"""

import argparse
import json
import random
import statistics
import threading
import time
import uuid

from report import Figure, print_table, say  # bench/ is on sys.path when a script in it runs

TARGETS = {10_000: 60.0, 100_000: 600.0}
CHECK_ALL_UP_TO = 10_000
CHECK_SAMPLE = 2_000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    from centre import Centre

    with Centre() as centre:
        figures = run(centre, args.sizes)
    print_table(figures)


class MemorySampler(threading.Thread):
    def __init__(self, pid, every=0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self._stop_event = threading.Event()

    def run(self):
        from centre import rss_kib

        while not self._stop_event.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(self.every)

    def stop(self):
        self._stop_event.set()
        self.join()
        return self.peak


def baselines():
    """(ms for one Ed25519 signature, ms for one committed insert of a badge row)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import connection

    key = Ed25519PrivateKey.generate()
    message = bytes(64)  # eddsa-rdfc-2022 signs two SHA-256 digests
    signs = []
    for _ in range(2000):
        started = time.perf_counter()
        key.sign(message)
        signs.append(time.perf_counter() - started)

    inserts = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_rows (LIKE badges_assertion INCLUDING ALL)")
        cursor.execute("SELECT row_to_json(a) FROM badges_assertion a LIMIT 1")
        (template,) = cursor.fetchone()
        sql = "INSERT INTO bench_rows SELECT * FROM json_populate_record(NULL::bench_rows, %s)"
        for n in range(1000):
            row = {**template, "id": str(uuid.uuid4()), "enrollment_id": 10**9 + n,
                   "status_index": 10**6 + n}  # fmt: skip
            text = json.dumps(row)
            started = time.perf_counter()
            cursor.execute(sql, [text])  # autocommit: each insert is its own transaction
            inserts.append(time.perf_counter() - started)
        cursor.execute("DROP TABLE bench_rows")
    return statistics.median(signs) * 1000, statistics.median(inserts) * 1000


def poll_interval(count, size, elapsed, finest=0.5, coarsest=10.0):
    """Seconds to wait before counting again: a tenth of the time the rest should take at the
    rate so far, so the count (which costs the database more as the cohort grows) runs a few
    dozen times in all and the clock still stops within ``finest`` of the last badge."""
    if count == 0:
        return min(max(finest, elapsed / 10), coarsest)
    remaining = (size - count) * elapsed / count
    return min(max(finest, remaining / 10), coarsest)


def issue_cohort(centre, worker, course, plan, admin, size, label):
    """Complete a cohort of `size` at once; (seconds to issue all, peak worker RSS KiB, ids)."""
    from cohort import cohort_passed, complete_together

    from badges.models import Assertion

    say(f"Bulk issuance: preparing {size:,} learners who passed every assessment")
    offering, ids = cohort_passed(course, plan, admin, size, label=label)
    say(f"Bulk issuance: {size:,} learners complete at once")
    # Signed before the row is inserted, so a row with its key is an issued, signed badge (the
    # count reads no credential text: polling must cost the machine next to nothing).
    signed = Assertion.objects.filter(enrollment__offering=offering, signing_key__isnull=False)
    sampler = MemorySampler(worker.pid)
    sampler.start()
    committed, announced = complete_together(ids)
    reported = committed
    deadline = committed + max(TARGETS.get(size, 600.0) * 3, 120)
    while (count := signed.count()) < size:
        now = time.perf_counter()
        if now > deadline:
            sampler.stop()
            raise SystemExit(f"Only {count} of {size} badges issued; see {worker.log_path}")
        if now - reported > 10:
            say(f"Bulk issuance: {count:,} of {size:,} issued")
            reported = now
        time.sleep(poll_interval(count, size, now - committed))
    finished = time.perf_counter()
    peak = sampler.stop()
    assert Assertion.objects.filter(enrollment__offering=offering).count() == size  # no duplicate
    return {
        "seconds": finished - committed,
        "enqueue": announced - committed,
        "peak_kib": peak,
        "ids": list(signed.values_list("pk", flat=True)),
    }


def run(centre, sizes) -> list[Figure]:
    from cohort import course_with_badge
    from public_check import verify_all

    course, plan, admin = course_with_badge()
    worker = centre.worker(concurrency=2)
    centre.gunicorn()
    figures = []
    # A first badge makes the issuer's signing key and status list, as a centre's first day does.
    warm = issue_cohort(centre, worker, course, plan, admin, 10, "warm")
    sign_ms, insert_ms = baselines()
    idle_kib = warm["peak_kib"]
    name = "Bulk issuance"
    for size in sizes:
        result = issue_cohort(centre, worker, course, plan, admin, size, f"c{size}")
        seconds, per_badge = result["seconds"], result["seconds"] * 1000 / size
        target = TARGETS.get(size)
        figures.append(
            Figure(
                name,
                f"{size:,} completions → issued and signed (2 worker processes)",
                f"{seconds:.1f} s",
                f"≤ {target:.0f} s" if target else "",
                f"enqueued in {result['enqueue'] * 1000:.0f} ms after the commit",
                seconds <= target if target else None,
            )
        )
        figures.append(
            Figure(
                name,
                f"{size:,}: time per badge (wall)",
                f"{per_badge:.2f} ms",
                "",
                f"Ed25519 sign {sign_ms:.3f} ms + row insert {insert_ms:.3f} ms: "
                f"{per_badge / (sign_ms + insert_ms):.0f}×",
            )
        )
        figures.append(
            Figure(
                name,
                f"{size:,}: worker peak resident memory",
                f"{result['peak_kib'] / 1024:.0f} MiB",
                "does not grow with the batch",
                f"after 10 badges: {idle_kib / 1024:.0f} MiB",
                None,
            )
        )
        ids = result["ids"]
        checked = ids if size <= CHECK_ALL_UP_TO else random.sample(ids, CHECK_SAMPLE)
        say(f"Bulk issuance: verifying {len(checked):,} badges through their public URLs")
        started = time.perf_counter()
        verdicts = verify_all(centre.site_url, checked)
        figures.append(
            Figure(
                name,
                f"{size:,}: verified through the public URLs"
                + ("" if len(checked) == size else f" (random {len(checked):,})"),
                f"{verdicts.get('valid', 0):,} valid of {len(checked):,}",
                "all valid",
                f"{time.perf_counter() - started:.0f} s to fetch and verify",
                verdicts.get("valid", 0) == len(checked),
            )
        )
    peaks = [f for f in figures if "resident memory" in f.measure]
    if len(peaks) >= 2:
        values = [float(f.value.split()[0]) for f in peaks]
        grew = values[-1] > values[0] * 1.25 + 20
        figures.append(
            Figure(
                name,
                "worker memory, largest batch vs smallest",
                f"{values[-1]:.0f} MiB vs {values[0]:.0f} MiB",
                "≤ 1.25× + 20 MiB",
                "",
                not grew,
            )
        )
    return figures


if __name__ == "__main__":
    main()
