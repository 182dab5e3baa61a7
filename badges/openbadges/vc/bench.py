"""How fast eddsa-rdfc-2022 signing of a realistic OpenBadgeCredential is.

    python -m badges.openbadges.vc.bench [--count 2000] [--workers 2]

Prints milliseconds per credential for each step (canonicalization of the credential and of the
proof configuration, the whole proof, verification, raw Ed25519), pyld's own normalize() on the
same input for comparison, and the wall time of signing ``--count`` credentials on ``--workers``
processes, projected to 10,000 credentials.
"""

import argparse
import multiprocessing
import time
import timeit
import uuid
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from . import eddsa_rdfc_2022, multikey
from .canonicalize import Canonicalizer
from .contexts import OPEN_BADGE_CREDENTIAL_CONTEXT

ISSUER = "https://badges.example.edu/public/issuers/0b6a3c1e-5f8e-4c59-9b0e-2f1d8f5b7a10"
SEED = bytes(range(32))  # a fixed benchmark key, never used for anything else


def sample_credential(i: int = 0) -> dict:
    """A realistic OpenBadgeCredential: VC 2.0 + OB 3.0.3, 3 alignments, 3 results."""
    achievement = "https://badges.example.edu/public/badges/8a0f2c9e-6d1b-4b7e-a1c3-5e9f0d2b4c6a"
    outcomes = ["Clean a tabular data set", "Describe a distribution", "Choose a fitting chart"]
    return {
        "@context": list(OPEN_BADGE_CREDENTIAL_CONTEXT),
        "id": f"https://badges.example.edu/public/assertions/{uuid.UUID(int=i)}/credential",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Literacy Foundations",
        "issuer": {
            "id": ISSUER,
            "type": ["Profile"],
            "name": "Example University, Centre for Micro-credentials",
            "url": "https://www.example.edu/",
            "email": "microcredentials@example.edu",
        },
        "validFrom": "2025-06-30T09:00:00Z",
        "validUntil": "2030-06-30T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": f"sha256${i:064x}",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": f"{i:032x}",
                }
            ],
            "activityEndDate": "2025-06-20T00:00:00Z",
            "achievement": {
                "id": achievement,
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "Data Literacy Foundations",
                "description": "Learners clean, describe and visualise a tabular data set.",
                "criteria": {"narrative": "Pass the three summative assessments."},
                "image": {"id": f"{achievement}/image", "type": "Image"},
                "creditsAvailable": 2.5,
                "fieldOfStudy": "Statistics",
                "inLanguage": "en",
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": f"LO{n}: {text}",
                        "targetUrl": f"https://badges.example.edu/courses/42/outcomes/{n}",
                        "targetType": "ceasn:Competency",
                        "targetFramework": "Course learning outcomes",
                    }
                    for n, text in enumerate(outcomes, 1)
                ],
                "resultDescription": [
                    {
                        "id": f"{achievement}/results/{n}",
                        "type": ["ResultDescription"],
                        "name": f"Assessment {n}",
                        "resultType": "Status",
                    }
                    for n in range(1, 4)
                ],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement}/results/{n}",
                    "status": "Completed",
                }
                for n in range(1, 4)
            ],
        },
    }


def _ms_per_call(function: Callable[[], object], number: int) -> float:
    function()  # warm the caches first: a long-running worker only pays that once
    return timeit.timeit(function, number=number) / number * 1000


def _sign_range(bounds: tuple[int, int]) -> int:
    key = Ed25519PrivateKey.from_private_bytes(SEED)
    for i in range(*bounds):
        eddsa_rdfc_2022.add_proof(
            sample_credential(i), private_key=key, verification_method=f"{ISSUER}#key-1"
        )
    return bounds[1] - bounds[0]


def _throughput(count: int, workers: int) -> float:
    step = -(-count // (workers * 4))
    chunks = [(start, min(start + step, count)) for start in range(0, count, step)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        signed = sum(pool.map(_sign_range, chunks))
    if signed != count:
        raise RuntimeError(f"signed {signed} credentials, expected {count}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="credentials for the run")
    parser.add_argument("--workers", type=int, default=2, help="processes for the run")
    parser.add_argument("--number", type=int, default=300, help="repetitions per step")
    args = parser.parse_args(argv)

    key = Ed25519PrivateKey.from_private_bytes(SEED)
    vm = f"{ISSUER}#key-1"
    controllers = {ISSUER: multikey.controller_document(ISSUER, {vm: key.public_key()})}
    canonicalizer = Canonicalizer()
    credential = sample_credential()
    proof = eddsa_rdfc_2022.create_proof(credential, private_key=key, verification_method=vm)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_config = {**options, "@context": credential["@context"]}
    signed = {**credential, "proof": proof}
    pyld_options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": canonicalizer.loader,
    }
    n = args.number

    rows = [
        ("Ed25519 sign (raw, 64 bytes)", _ms_per_call(lambda: key.sign(bytes(64)), n * 10)),
        (
            "canonicalize credential",
            _ms_per_call(lambda: canonicalizer.canonicalize(credential), n),
        ),
        (
            "canonicalize proof config",
            _ms_per_call(lambda: canonicalizer.canonicalize(proof_config), n),
        ),
        (
            "sign total (add_proof)",
            _ms_per_call(
                lambda: eddsa_rdfc_2022.add_proof(
                    credential, private_key=key, verification_method=vm, canonicalizer=canonicalizer
                ),
                n,
            ),
        ),
        (
            "verify total (verify_credential)",
            _ms_per_call(
                lambda: eddsa_rdfc_2022.verify_credential(
                    signed, controllers=controllers, canonicalizer=canonicalizer
                ),
                n,
            ),
        ),
        (
            "pyld normalize() alone, credential",
            _ms_per_call(lambda: jsonld.normalize(credential, pyld_options), max(n // 3, 10)),
        ),
    ]
    print(f"{'step':<40}{'ms/credential':>14}")
    for name, ms in rows:
        print(f"{name:<40}{ms:>14.3f}")

    seconds = _throughput(args.count, args.workers)
    per_credential = seconds / args.count
    print(
        f"\nsigned {args.count} credentials on {args.workers} processes in {seconds:.2f} s "
        f"({per_credential * 1000:.2f} ms each, wall); 10,000 would take "
        f"{per_credential * 10_000:.1f} s"
    )


if __name__ == "__main__":
    main()
