"""The centre's electronic seal on its PDFs (the certificate and the micro-credential supplement).

A PDF is sealed as a PAdES baseline B-B signature (ETSI EN 319 142-1 v1.1.1, §5.3 and §6.3):
a CMS signature with the CAdES signed attributes (ETSI EN 319 122-1), sub-filter
``ETSI.CAdES.detached`` (ISO 32000-2 §12.8.3.4), added to the PDF as an incremental update by
pyHanko, with the seal's key and chain (``seal.py``) handed to pyHanko in memory (DER, no file
and no key store). Nothing is fetched: no timestamp authority, no revocation information (a B-B
signature carries neither), and pyHanko is given no validation context, so it looks nothing up.

Anyone can check a sealed PDF offline with an independent tool, e.g. ``pdfsig file.pdf``
(Poppler); a demonstration seal (self-signed) is reported valid but not trusted.

When the centre has no seal (:class:`~badges.seal.SealUnavailable`) the PDF is served unsealed and
says nothing of a seal: :class:`SealNotice` is what the templates read to say it.
"""

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .openbadges.edc import COUNTRY_NAMES
from .seal import Seal, SealUnavailable, load_seal

log = logging.getLogger(__name__)

FIELD_NAME = "CentreSeal"
DIGEST_ALGORITHM = "sha256"
DEMONSTRATION = "demonstration seal, not a qualified electronic seal"


@dataclass(frozen=True)
class SealNotice:
    """What a PDF says about its seal and who signs for the centre."""

    sealed: bool
    self_signed: bool
    centre: str
    signatory_name: str
    signatory_role: str
    fingerprint: str  # the seal certificate's x5t#S256; "" when unsealed (part of cache keys)

    @property
    def demonstration(self) -> str:
        return DEMONSTRATION if self.sealed and self.self_signed else ""

    def cache_state(self) -> list:
        return [
            self.fingerprint or "unsealed",
            self.centre,
            self.signatory_name,
            self.signatory_role,
        ]


def current_seal() -> Seal | None:
    """The configured seal, or None (logged) when the centre has none or it cannot be read."""
    try:
        return load_seal()
    except SealUnavailable as error:
        log.warning("PDFs are served unsealed: %s", error)
        return None


def notice(seal: Seal | None) -> SealNotice:
    return SealNotice(
        sealed=seal is not None,
        self_signed=bool(seal and seal.self_signed),
        centre=settings.CENTRE_NAME,
        signatory_name=settings.SEAL_SIGNATORY_NAME,
        signatory_role=settings.SEAL_SIGNATORY_ROLE,
        fingerprint=seal.x5t_s256() if seal else "",
    )


def reason() -> str:
    return f"Sealed by {settings.CENTRE_NAME}"


def country_name() -> str:
    """The awarding body's country (setting ``AWARDING_BODY_COUNTRY``) in words where the EDC
    module knows its name: where the seal is applied, and the supplement's issuer country."""
    code = settings.AWARDING_BODY_COUNTRY
    return COUNTRY_NAMES.get(code, code)


def signer(seal: Seal) -> signers.SimpleSigner:
    """pyHanko's signer from the seal's key and chain, converted through DER in memory."""
    chain = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in seal.chain
    ]
    key = asn1_keys.PrivateKeyInfo.load(
        seal.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=chain[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


def seal_pdf(pdf: bytes, *, seal: Seal) -> bytes:
    """The PDF with the seal added as a PAdES B-B signature (an incremental update: the bytes
    before it are the PDF as rendered)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason(),
        location=country_name(),
        name=seal.holder,
    )
    pdf_signer = signer(seal)

    async def sign():
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = await signers.async_sign_pdf(writer, metadata, signer=pdf_signer)
        return output.getvalue()

    return _run(sign)


def _run(coroutine_function):
    """Run pyHanko's signing coroutine to its end from synchronous code. pyHanko's own
    ``sign_pdf`` calls ``asyncio.run``, which refuses to start inside a running event loop (an
    ASGI server's thread, or a test process that drives a browser): there the coroutine runs on
    a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine_function())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result()
