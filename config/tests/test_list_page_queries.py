"""List pages do not slow down as the centre grows: every list page (config/testing/list_pages.py)
answers 200 with the same number of queries for 2 rows as for 12 (bench/pages_bench.py does 10
and 1,000). A page whose count grows runs a query per row, and would crawl with a real cohort.

And no list page is forgotten: every URL pattern is either in the catalogue or excluded there
with a reason, so a new list page fails here until it is counted.
"""

import pytest
from django.db import transaction

from config.testing import list_pages

FEW, MANY = 2, 12


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """{page: ((status, queries) at FEW rows, (status, queries) at MANY)}, from one centre built
    in a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        centre = list_pages.build_centre()
        few = list_pages.query_counts(FEW, centre=centre)
        many = list_pages.query_counts(MANY, centre=centre)
        transaction.set_rollback(True)
    return {name: (few[name], many[name]) for name in few}


# pytest-django sets up the test database only for tests marked as using it.
@pytest.mark.django_db
@pytest.mark.parametrize("page", list_pages.PAGES, ids=[p.name for p in list_pages.PAGES])
def test_a_list_page_costs_the_same_queries_for_few_or_many_rows(page, counts):
    (status_few, few), (status_many, many) = counts[page.name]
    assert (status_few, status_many) == (200, 200), f"{page.name} as {page.role}: not 200"
    assert few == many, (
        f"{page.name} ({page.url_key}, as {page.role}): {few} queries with {FEW} "
        f"{page.rows_description}, {many} with {MANY}: a query per row somewhere"
    )


def test_every_url_pattern_is_a_counted_list_page_or_excluded_with_a_reason():
    keys = set(list_pages.url_keys())
    counted = {page.url_key for page in list_pages.PAGES}
    excluded = set(list_pages.URL_KEYS_EXCLUDED)
    forgotten = sorted(
        key for key in keys - counted - excluded if not list_pages.ADMIN_NOT_A_LIST.match(key)
    )
    assert not forgotten, (
        "Is this a list page? Add it to PAGES in config/testing/list_pages.py, or to "
        f"URL_KEYS_EXCLUDED with the reason it is not: {forgotten}"
    )
    stale = sorted((counted | excluded) - keys)
    assert not stale, f"list_pages.py names URL patterns the URLconf no longer has: {stale}"
    assert not counted & excluded, f"both counted and excluded: {sorted(counted & excluded)}"


def test_page_names_are_unique_and_roles_are_known():
    from config.tests.permission_matrix import ROLES

    names = [page.name for page in list_pages.PAGES]
    assert len(names) == len(set(names))
    assert {page.role for page in list_pages.PAGES} <= {*ROLES, "vle", "ob3_app"}
    assert {page.rows for page in list_pages.PAGES} == set(list_pages.ROWS)
