"""The worst inputs an anonymous visitor can send the verifier, up to the 2 MB limit, timed.

    .venv/bin/python -m bench.hostile_inputs            # SQLite in memory, about a minute
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hostile .venv/bin/python -m bench.hostile_inputs

Django is set up with the test settings on a throwaway database (bench/harness.py), where a small
centre is built through the services (config/testing/list_pages.py: one issued badge), so that the
verifier's look-ups of our own documents have something to find. Each input is built to cost work:
long values where base58 decoding is quadratic, nesting where parsers recurse, documents that make
the DOM or canonicalization do work per node, many proofs and status entries, a decompression bomb.

Each is timed through three entry points: the verifier itself (`verify_bytes`/`verify_text` with
`SiteSources()`), the /verify/ page and `POST /api/v1/verify` (Django's test client, every request
from its own address so the rate limit stays out of the way). The figure is the median of
``--runs`` runs (3), in milliseconds, with the verdict or the status code; the target is well under
a second for each. Badge image checks (the badge design form's upload) are timed after them.
Exits 1 if any input takes a second or more, or answers 500.
"""

import argparse
import base64
import itertools
import json
import statistics
import struct
import sys
import time
import zlib
from dataclasses import dataclass

from bench.harness import throwaway_database
from bench.report import say

MB = 1024 * 1024
LIMIT = 2 * MB  # the verifier's input limit (badges/verification.py: MAX_INPUT_BYTES)
TARGET_MS = 1000
_addresses = (f"198.18.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@dataclass
class Input:
    name: str
    text: str | None = None  # pasted: verify_text, the page's text field, the API's "text"
    data: bytes | None = None  # a file: verify_bytes, the page's upload, the API's multipart file
    body: bytes | None = None  # a raw JSON body for the API only

    @property
    def size(self) -> int:
        if self.body is not None:
            return len(self.body)
        return len(self.data) if self.data is not None else len(self.text.encode())


# --- Building the inputs --------------------------------------------------------------------------


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(*chunks: bytes) -> bytes:
    from badges.tests.admin_factories import png_bytes

    image = png_bytes(256)
    after_ihdr = 8 + 12 + 13
    return image[:after_ihdr] + b"".join(chunks) + image[after_ihdr:]


def _itxt(keyword: bytes, text: bytes, *, compressed=False) -> bytes:
    flag = b"\x01\x00" if compressed else b"\x00\x00"
    return _png_chunk(b"iTXt", keyword + b"\x00" + flag + b"\x00\x00" + text)


def _did_key_credential(key, **changes):
    from badges.openbadges.vc import multikey
    from badges.openbadges.vc.bench import sample_credential

    credential = sample_credential(3)
    credential["issuer"] = {**credential["issuer"], "id": multikey.did_key(key.public_key())}
    credential.pop("credentialStatus", None)
    credential.update(changes)
    return credential


def _signed(key, credential):
    from badges.openbadges.vc import eddsa_rdfc_2022, multikey

    return eddsa_rdfc_2022.add_proof(
        credential,
        private_key=key,
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )


def _deep_jwt(key) -> str:
    """A VC-JWT its own did:key signs, whose payload nests 5,000 arrays deep: too deep for
    json.dumps to write, so written by hand."""
    from badges.openbadges.vc import multikey

    credential = _did_key_credential(key)
    claims = {"iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": 1751274000}
    payload = json.dumps({**credential, **claims})[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}"
    header = {"alg": "EdDSA", "kid": multikey.did_key_verification_method(key.public_key())}
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(payload.encode())}"
    return f"{signing_input}.{_b64url(key.sign(signing_input.encode()))}"


def _compact(document) -> str:
    return json.dumps(document, separators=(",", ":"))


def _fill(prefix: str, unit: str, suffix: str, size=LIMIT - 64) -> str:
    """``prefix`` + ``unit`` repeated + ``suffix``, about ``size`` bytes in all."""
    return prefix + unit * ((size - len(prefix) - len(suffix)) // len(unit)) + suffix


def build_inputs(centre) -> list[Input]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.conf import settings
    from django.test import Client

    from badges.openbadges.vc import multikey

    site = settings.SITE_URL
    client = Client()
    ours = client.get(f"/public/assertions/{centre.assertion.pk}/credential").content.decode()
    our_png = client.get(f"/public/assertions/{centre.assertion.pk}/image").content
    key = Ed25519PrivateKey.generate()
    did_key_vm = multikey.did_key_verification_method(key.public_key())
    signed = _signed(key, _did_key_credential(key))

    inputs = [
        Input("baseline: our badge's OB 3.0 credential", text=ours),
        Input("baseline: our badge's baked PNG", data=our_png),
        Input("baseline: a did:key credential", text=json.dumps(signed)),
    ]

    # Long values where base58 decoding is quadratic.
    base64_room = LIMIT * 3 // 4 - 200  # what base64url turns into just under 2 MB
    kid = _fill("did:key:z6Mk", "2", "", base64_room)
    header = _b64url(json.dumps({"alg": "EdDSA", "kid": kid}).encode())
    inputs.append(Input("JWT, kid a did:key of 1.5 MB", text=f"{header}.e30.AA"))
    header = _b64url(json.dumps({"alg": "EdDSA", "kid": "did:key:z6Mk" + "2" * 400}).encode())
    inputs.append(Input("JWT, kid a did:key of 412 characters", text=f"{header}.e30.AA"))
    proof_value = _fill("z", "2", "", LIMIT - len(json.dumps(signed)) - 200)
    inputs.append(
        Input(
            "credential, proofValue of 2 MB",
            text=json.dumps({**signed, "proof": {**signed["proof"], "proofValue": proof_value}}),
        )
    )
    header = {"alg": "EdDSA", "kid": did_key_vm, "x": "a" * (base64_room - 200)}
    inputs.append(Input("JWT, 2 MB header", text=f"{_b64url(json.dumps(header).encode())}.e30.AA"))
    header = _b64url(_fill("", "[", "", base64_room).encode())
    inputs.append(Input("JWT, header nested 1.5 MB deep", text=f"{header}.e30.AA"))
    inputs.append(
        Input("JWT signed by its did:key, payload nested 5,000 deep", text=_deep_jwt(key))
    )

    # Nesting where parsers recurse.
    inputs.append(Input("JSON nested 2 MB deep", text=_fill('{"a":', "[", "")))
    inputs.append(Input("JSON, 2 MB of empty arrays", text=_fill('{"a":[', "[],", "[]]}")))
    inputs.append(Input("JSON, 2 MB of escaped quotes", text=_fill('{"a":"', '\\"', '"}')))
    inputs.append(
        Input("API body nested 2 MB deep", body=_fill('{"credential":', "[", "").encode())
    )
    inputs.append(
        Input(
            "API body, 2 MB of empty arrays", body=_fill('{"credential":[', "[],", "[]]}").encode()
        )
    )
    svg_open = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    inputs.append(Input("SVG nested 2 MB deep", data=_fill(svg_open, "<g>", "").encode()))
    inputs.append(Input("SVG, 2 MB of elements", data=_fill(svg_open, "<g/>", "</svg>").encode()))
    attributes = "".join(f' a{n}="1"' for n in range(200_000))[: LIMIT - 200]
    attributes = attributes[: attributes.rindex(" ")]
    inputs.append(
        Input(
            "SVG, 2 MB of attributes",
            data=f'<svg xmlns="http://www.w3.org/2000/svg"{attributes}/>'.encode(),
        )
    )

    # Documents that cost work per key, per entry, per proof.
    keys = _fill("", '"k000000":0,', "", LIMIT - 4096)
    many_keys = "{" + ",".join(f'"k{n:06d}":0' for n in range(len(keys) // 12)) + "}"
    inputs.append(Input("JSON, 2 MB of keys (not a credential)", text=many_keys))
    padded = dict(signed)
    padded["credentialSubject"] = {
        **signed["credentialSubject"],
        **json.loads(many_keys[: many_keys.rindex(",", 0, LIMIT - 20_000)] + "}"),
    }
    inputs.append(Input("did:key credential with 2 MB of keys", text=_compact(padded)))
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "1",
    }
    statuses = [
        {
            **entry,
            "id": f"{site}/public/status/{n}#1",
            "statusListCredential": f"{site}/public/s/{n}",
        }
        for n in range(5000)
    ]
    inputs.append(
        Input(
            "did:key credential naming 5,000 status entries",
            text=json.dumps({**signed, "credentialStatus": statuses}),
        )
    )
    alignment = signed["credentialSubject"]["achievement"]["alignment"][0]
    for count in (250, 1000, 10_000):
        aligned = json.loads(json.dumps(signed))
        aligned["credentialSubject"]["achievement"]["alignment"] = [
            {**alignment, "targetName": f"Outcome {n}"} for n in range(count)
        ]
        inputs.append(
            Input(f"did:key credential with {count:,} alignments", text=_compact(aligned))
        )
    inputs.append(
        Input(
            "did:key credential with 5,000 proofs",
            text=json.dumps({**signed, "proof": [signed["proof"]] * 5000}),
        )
    )
    our_credential = json.loads(ours)
    ours_many = {**our_credential, "credentialStatus": [our_credential["credentialStatus"]] * 5000}
    inputs.append(Input("our credential naming its status 5,000 times", text=json.dumps(ours_many)))

    # URLs and images.
    inputs.append(Input("URL of 2 MB, ours", text=_fill(f"{site}/public/assertions/", "a", "")))
    inputs.append(Input("URL of 2 MB, elsewhere", text=_fill("https://example.org/", "a", "")))
    squeeze, zeros = zlib.compressobj(9), bytes(MB)
    bomb = b"".join(squeeze.compress(zeros) for _ in range(1024)) + squeeze.flush()  # 1 GB
    inputs.append(
        Input(
            "PNG, compressed iTXt inflating to 1 GB",
            data=_png(_itxt(b"openbadges", bomb, compressed=True)),
        )
    )
    inputs.append(
        Input(
            "PNG, 2 MB iTXt of nested JSON",
            data=_png(_itxt(b"openbadges", _fill("{", "[", "", LIMIT - 2048).encode())),
        )
    )
    inputs.append(
        Input(
            "PNG, 170,000 empty chunks",
            data=_png(*[_png_chunk(b"tEXt", b"")] * ((LIMIT - 2048) // 12)),
        )
    )
    inputs.append(Input("2 MB of base64 noise", text=_fill("ey", "QUFB", ".a.b")))
    return inputs


# --- Timing -----------------------------------------------------------------------------------


def _timed(function, runs):
    timings, result = [], None
    for n in range(runs):
        started = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - started) * 1000)
        if n == 0 and timings[0] > 5 * TARGET_MS:
            break  # slow enough to report; the median of more would only cost minutes
    return statistics.median(timings), result


def _verifier(item):
    from badges.verification import verify_bytes, verify_text
    from badges.verification_sources import SiteSources

    def verify():
        try:
            if item.data is not None:
                return verify_bytes(item.data, sources=SiteSources()).verdict
            return verify_text(item.text, sources=SiteSources()).verdict
        except Exception as error:  # what would be a 500 behind the views
            return f"raised {type(error).__name__}"

    return verify


def _post(client, path, *args, **kwargs):
    response = client.post(path, *args, REMOTE_ADDR=next(_addresses), **kwargs)
    return response.status_code


def _page(item, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if item.data is not None:
        return lambda: _post(client, "/verify/", {"file": SimpleUploadedFile("badge", item.data)})
    return lambda: _post(client, "/verify/", {"text": item.text})


def _api(item, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if item.body is not None:
        return lambda: _post(client, "/api/v1/verify", item.body, "application/json")
    if item.data is not None:
        upload = SimpleUploadedFile("badge", item.data)
        return lambda: _post(client, "/api/v1/verify", {"file": upload.open()})
    return lambda: _post(client, "/api/v1/verify", {"text": item.text}, "application/json")


def measure(inputs, runs) -> list[tuple]:
    from django.test import Client

    client = Client(raise_request_exception=False)
    rows = []
    for item in inputs:
        say(item.name)
        cells = []
        if item.body is None:
            cells.append(_timed(_verifier(item), runs))
            cells.append(_timed(_page(item, client), runs))
        else:
            cells += [None, None]
        cells.append(_timed(_api(item, client), runs))
        rows.append((item.name, item.size, *cells))
    return rows


def measure_image_checks(inputs, runs) -> list[tuple]:
    from django.core.exceptions import ValidationError

    from badges.image_checks import check_badge_image
    from badges.tests.admin_factories import SizedStream

    def check(data):
        try:
            return check_badge_image(SizedStream(data)).kind
        except ValidationError as error:
            return error.code

    rows = []
    for item in inputs:
        say(f"image check: {item.name}")
        rows.append((item.name, item.size, _timed(lambda item=item: check(item.data), runs)))
    return rows


# --- Output ---------------------------------------------------------------------------------------


def _cell(measured):
    if measured is None:
        return "—", "—"
    ms, result = measured
    return f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}", str(result)


def table(rows) -> list[str]:
    header = ("Input", "Size", "verifier ms", "verdict", "/verify/ ms", "HTTP", "API ms", "HTTP")
    lines = [header]
    for name, size, *cells in rows:
        line = [name, f"{size / MB:.2f} MB" if size >= 0.1 * MB else f"{size:,} B"]
        for measured in cells:
            line += _cell(measured)
        lines.append(tuple(line))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per input (median taken)")
    options = parser.parse_args(argv)
    with throwaway_database():
        from config.testing.list_pages import build_centre

        say("Building a centre with one issued badge")
        centre = build_centre()
        inputs = build_inputs(centre)
        rows = measure(inputs, options.runs)
        images = [i for i in inputs if i.data is not None and not i.name.startswith("baseline")]
        image_rows = measure_image_checks(images, options.runs)

    print()
    print("\n".join(table(rows)))
    print()
    print("Badge image checks (the badge design form's upload, badges/image_checks.py):")
    for name, size, (ms, result) in image_rows:
        print(f"  {name:<45} {size / MB:5.2f} MB  {ms:8,.1f} ms  {result}")
    print()
    cells = [c for _, _, *cs in rows for c in cs if c is not None] + [r[2] for r in image_rows]
    slow = [c for c in cells if c[0] >= TARGET_MS]
    errors = [c for c in cells if c[1] == 500 or str(c[1]).startswith("raised")]
    worst = max(c[0] for c in cells)
    print(f"Slowest: {worst:,.0f} ms (target: under {TARGET_MS:,} ms); answers 500: {len(errors)}")
    return 1 if slow or errors else 0


if __name__ == "__main__":
    sys.exit(main())
