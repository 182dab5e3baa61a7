"""Benchmark 4: a badge's PDF certificate and its baked PNG, from a real issued badge.

Run by bench/run_all.py on the bench centre after bulk issuance (it needs an issued badge).
The certificate is rendered from its template to PDF with WeasyPrint, without the certificate
cache (what the first visitor of a new certificate waits for; its QR code is already drawn);
the baseline is WeasyPrint rendering a one-line page in the same run. Baking writes the hosted
assertion into the badge's 512×512 PNG (an iTXt chunk); the baseline is one pass over the same
image bytes (copy and CRC-32), the least any baking can do.
"""

import json
import statistics
import time
import zlib

from report import Figure, say  # bench/ is on sys.path when a script in it runs

PDF_RUNS = 15
BAKE_RUNS = 300


def _median_seconds(function, runs):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run() -> list[Figure]:
    from django.utils import timezone

    from badges import certificate, documents
    from badges.models import Assertion
    from badges.openbadges import baking
    from badges.views_public import _badge_image_bytes

    say("Certificates and images: rendering PDFs and baking PNGs")
    assertion = Assertion.objects.select_related("badge_version__badge_class__course").first()
    now = timezone.now()
    certificate.render_pdf("<p>x</p>")  # fonts and WeasyPrint's first-use work
    pdf = _median_seconds(
        lambda: certificate.render_pdf(certificate.certificate_html(assertion, now=now)), PDF_RUNS
    )
    blank = _median_seconds(lambda: certificate.render_pdf("<p>A one-line page.</p>"), PDF_RUNS)

    image = _badge_image_bytes(assertion.badge_version)
    assert image.startswith(baking.PNG_SIGNATURE), "the bench badge's image is a PNG"
    document = documents.assertion_json(assertion)
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)

    def bake():
        baking.bake_hosted_assertion(image, assertion_id=document["id"], assertion_json=text)

    bake_s = _median_seconds(bake, BAKE_RUNS)
    copy_s = _median_seconds(lambda: zlib.crc32(bytes(bytearray(image))), BAKE_RUNS)
    name = "Certificates and images"
    return [
        Figure(
            name,
            f"PDF certificate render (median of {PDF_RUNS}, uncached)",
            f"{pdf:.3f} s",
            "≤ 0.5 s",
            f"WeasyPrint one-line page {blank:.3f} s ({pdf / blank:.1f}×)",
            pdf <= 0.5,
        ),
        Figure(
            name,
            f"bake a {len(image) // 1024} KiB PNG (median of {BAKE_RUNS})",
            f"{bake_s * 1000:.2f} ms",
            "≤ 20 ms",
            f"copy + CRC-32 of the image {copy_s * 1000:.3f} ms ({bake_s / copy_s:.0f}×)",
            bake_s <= 0.020,
        ),
    ]
