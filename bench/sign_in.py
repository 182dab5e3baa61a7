"""How long a sign-in takes on the demo, and where the time goes (README, "Demo accounts").

    .venv/bin/python bench/sign_in.py [--runs 7] [--email leader@leads.example]

Runs with the local settings (the demo's: `make demo` first, for its database and accounts),
through Django's test client, once with the local settings' password hasher and once with
production's (Django's default PBKDF2, 1,000,000 iterations). For each it prints the median
sign-in POST, one password check alone, and the POST's SQL queries. Everything happens inside a
transaction that is rolled back: the demo's database is left as it was.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class Rollback(Exception):
    pass


def measure(email, password, runs):
    from django.contrib.auth.hashers import check_password, get_hasher
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    user = User.objects.get(email=email)
    user.set_password(password)  # hashed with the hasher under test, so no sign-in re-hashes it
    user.save(update_fields=["password"])
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1")
    posts, checks, queries = [], [], 0
    for _ in range(runs):
        client.get("/accounts/sign-in/")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post("/accounts/sign-in/", {"username": email, "password": password})
            posts.append(time.perf_counter() - started)
        assert response.status_code == 302, f"sign-in refused ({response.status_code})"
        queries = len(captured)
        client.logout()
        started = time.perf_counter()
        check_password(password, User.objects.get(pk=user.pk).password)
        checks.append(time.perf_counter() - started)
    hasher = get_hasher()
    return {
        "hasher": f"{type(hasher).__name__} ({hasher.iterations:,} iterations)",
        "post_ms": statistics.median(posts) * 1000,
        "check_ms": statistics.median(checks) * 1000,
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--email", default="leader@leads.example")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import global_settings, settings
    from django.db import transaction
    from django.test.utils import override_settings

    from demo.people import DEMO_PASSWORD

    rows = []
    try:
        with transaction.atomic():
            for label, hashers in (
                ("demo (local settings)", settings.PASSWORD_HASHERS),
                ("production's hasher", global_settings.PASSWORD_HASHERS),
            ):
                with override_settings(PASSWORD_HASHERS=hashers, AXES_ENABLED=True):
                    rows.append((label, measure(args.email, DEMO_PASSWORD, args.runs)))
            raise Rollback
    except Rollback:
        pass
    print(f"Sign-in as {args.email}, median of {args.runs} ({os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f})")  # fmt: skip
    for label, row in rows:
        print(
            f"  {label:22} {row['hasher']:48} POST {row['post_ms']:6.0f} ms  "
            f"password check {row['check_ms']:6.0f} ms  {row['queries']} queries"
        )


if __name__ == "__main__":
    main()
