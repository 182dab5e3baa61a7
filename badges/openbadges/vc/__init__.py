"""Open Badges 3.0 / W3C Verifiable Credentials signing core (plain Python, no Django).

- ``contexts``: the JSON-LD contexts shipped in ``contexts/`` (exact npm copies) and their URLs.
- ``loader``: a pyld document loader that serves only those (and registered) documents.
- ``canonicalize``: RDFC-1.0 canonical N-Quads of JSON-LD, in jsonld.js-style safe mode.
- ``eddsa_rdfc_2022``: Data Integrity proofs, cryptosuite eddsa-rdfc-2022 (vc-di-eddsa §3.3).
- ``multikey``: Ed25519 keys as Multikey, controller documents, did:key resolution.
- ``jwt``: VC-JWT with EdDSA (Open Badges 3.0 §8.2).
- ``status_list``: W3C Bitstring Status List v1.0 ``encodedList``.
- ``bench``: ``python -m badges.openbadges.vc.bench`` measures signing speed.

Independent checks: ``tools/vc-verifier`` (Digital Bazaar's JavaScript verifier, offline).
"""
