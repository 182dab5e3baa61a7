"""Count the SQL queries of every list page at 10 and at 1,000 rows, in a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pagesbench .venv/bin/python bench/pages_bench.py

It creates a test database (``test_<name>``) with the migrations, builds a centre through the
services (config/testing/list_pages.py: a unit and its dean, a leader's courses, an offering, a
learner with a badge, a VLE token) and requests every list page of the catalogue there as the
role that opens it, once with 10 and once with 1,000 rows of what the page lists (courses,
submissions, offerings, learners in the grid, badges...). The target is the same number of
queries at both sizes, and 200 both times: a count that grows is a query per row. Paginated
pages are counted on their first page. Exits 1 if any page misses the target.

The test database is dropped at the end; nothing touches your own data.
"""

import dataclasses
import json
import os
import sys

from harness import throwaway_database  # bench/ is on sys.path when a script in it runs
from report import Figure, all_met, say, table

BENCHMARK = "List pages: queries"
FEW, MANY = 10, 1000


def figures_from(few: dict, many: dict) -> list[Figure]:
    figures = []
    for name, (status_few, queries_few) in few.items():
        status_many, queries_many = many[name]
        value = f"{FEW:,} rows: {queries_few} queries; {MANY:,} rows: {queries_many} queries"
        if (status_few, status_many) != (200, 200):
            value += f" (HTTP {status_few} and {status_many})"
        met = queries_few == queries_many and status_few == status_many == 200
        figures.append(Figure(BENCHMARK, name, value, target="equal", met=met))
    return figures


def run() -> list[Figure]:
    with throwaway_database():
        from config.testing import list_pages

        say("Pages: building the centre through the services")
        centre = list_pages.build_centre()
        say(f"Pages: counting {len(list_pages.PAGES)} list pages at {FEW:,} rows")
        few = list_pages.query_counts(FEW, centre=centre)
        say(f"Pages: counting them at {MANY:,} rows")
        many = list_pages.query_counts(MANY, centre=centre)
    return figures_from(few, many)


def main():
    figures = run()
    if os.environ.get("BENCH_FIGURES_JSON"):  # bench/run_all.py reads the figures from there
        with open(os.environ["BENCH_FIGURES_JSON"], "w") as out:
            json.dump([dataclasses.asdict(f) for f in figures], out)
    print()
    print(table(figures))
    print()
    sys.exit(0 if all_met(figures) else 1)


if __name__ == "__main__":
    main()
