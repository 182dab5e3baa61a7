"""The password hasher of the local settings (the demo and development), never of production.

A sign-in costs one password hash, and Django's PBKDF2 default (1,000,000 iterations of
SHA-256) is made to be slow: about 0.3 s on an idle core here, and 0.8-3 s on the demo while
the machine's two cores run anything else (README, "Demo accounts"). That is the right cost for
production's accounts. The demo's accounts share one password that README and seed_demo print,
so hashing it slowly protects nothing there; the local settings hash with fewer iterations.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class LocalPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 with fewer iterations (Django's documented way to change them).

    The algorithm's name is unchanged, so each hash states its own iterations and verifies
    under any settings: a password set under production's hasher still works here (and is
    re-hashed with these iterations at its next sign-in), and one set here is re-hashed with
    production's iterations at its first sign-in there.
    """

    iterations = 10_000
