"""QR codes of public URLs, as SVG in a `data:` URL (the CSP allows `img-src data:`).

Drawing a code costs a few milliseconds and the URL it encodes never changes, so each one is
kept in Django's cache under a digest of its URL: a page with many badges reads them all in one
round trip (`qr_data_uris`).
"""

import base64
import hashlib
import logging

import qrcode
from django.core.cache import cache
from qrcode.constants import ERROR_CORRECT_M

log = logging.getLogger(__name__)

# Version in the key: a change of drawing makes new entries instead of serving old ones.
CACHE_VERSION = 1
CACHE_SECONDS = 60 * 60 * 24 * 30
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks


def qr_svg(data: str) -> str:
    """A black-on-white SVG of `data`: one path of horizontal runs, crisp at any size."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size * 4}" height="{size * 4}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _key(data: str) -> str:
    return f"qr:{CACHE_VERSION}:" + hashlib.sha256(data.encode()).hexdigest()


def qr_data_uris(urls) -> dict[str, str]:
    """`data:` URLs of the QR codes of `urls`, drawing only those not in the cache yet."""
    urls = list(dict.fromkeys(urls))
    keys = {url: _key(url) for url in urls}
    try:
        found = cache.get_many(keys.values())
    except Exception:  # Redis unavailable: draw them; a page never fails for want of a cache
        log.warning("QR code cache unavailable", exc_info=True)
        return {url: _data_uri(qr_svg(url)) for url in urls}
    result, missing = {}, {}
    for url, key in keys.items():
        if key in found:
            result[url] = found[key]
        else:
            result[url] = missing[key] = _data_uri(qr_svg(url))
    if missing:
        try:
            cache.set_many(missing, CACHE_SECONDS)
        except Exception:
            log.warning("QR code cache unavailable", exc_info=True)
    return result


def qr_data_uri(url: str) -> str:
    return qr_data_uris([url])[url]


def qr_svg_cached(url: str) -> bytes:
    """The SVG of `url`'s QR code, from the same cache as the data: URLs."""
    data_uri = qr_data_uri(url)
    return base64.b64decode(data_uri.split(",", 1)[1])
