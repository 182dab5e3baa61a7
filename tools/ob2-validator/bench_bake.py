"""Time baking and unbaking a 256x256 PNG badge with badges.openbadges.baking.

Run with the product's interpreter from the repository root (only the standard library and the
product's own modules are used; the images are made here, so Pillow is not needed)::

    python tools/ob2-validator/bench_bake.py [--rounds 200]

Budget: baking must take well under 20 ms (median). Exits 1 when the median exceeds it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import struct
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from badges.openbadges import baking  # noqa: E402  (needs the repository root on sys.path)

BUDGET_SECONDS = 0.020
SIZE = 256


def make_png(pixels: bytes, size: int = SIZE) -> bytes:
    """An 8-bit RGBA PNG: each scanline is filter byte 0 and its pixels, then zlib (PNG §7, §10)."""
    row = size * 4
    raw = b"".join(b"\x00" + pixels[y * row : (y + 1) * row] for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"".join(
        [
            baking.PNG_SIGNATURE,
            baking.encode_png_chunk(b"IHDR", header),
            baking.encode_png_chunk(b"IDAT", zlib.compress(raw, 9)),
            baking.encode_png_chunk(b"IEND", b""),
        ]
    )


def measure(function, rounds: int) -> tuple[float, float]:
    """Median and 95th percentile of ``rounds`` calls, in seconds."""
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    assertion = '{"@context":"https://w3id.org/openbadges/v2","id":"https://x.example/a/1"}' * 20
    images = {
        "flat": make_png(bytes([30, 90, 160, 255]) * SIZE * SIZE),
        # Random pixels barely compress: the largest IDAT to copy and CRC, so the worst case.
        "noise": make_png(random.Random(0).randbytes(SIZE * SIZE * 4)),
    }
    slowest = 0.0
    for name, png in images.items():
        baked = baking.bake_png(png, assertion)
        bake_median, bake_p95 = measure(lambda p=png: baking.bake_png(p, assertion), args.rounds)
        unbake_median, unbake_p95 = measure(lambda b=baked: baking.unbake_png(b), args.rounds)
        slowest = max(slowest, bake_median)
        print(
            f"{SIZE}x{SIZE} {name:5} PNG ({len(png):>7} bytes): "
            f"bake median {bake_median * 1000:.3f} ms, p95 {bake_p95 * 1000:.3f} ms; "
            f"unbake median {unbake_median * 1000:.3f} ms, p95 {unbake_p95 * 1000:.3f} ms"
        )
    within = slowest < BUDGET_SECONDS
    print(f"budget {BUDGET_SECONDS * 1000:.0f} ms median: {'ok' if within else 'EXCEEDED'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
