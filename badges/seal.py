"""The centre's electronic seal: the X.509 certificate chain and key that seal EDCs and PDFs.

Settings name two PEM files: ``SEAL_CERTIFICATE_FILE`` (the seal's certificate first, then the
certificates of its chain up to, not necessarily including, the root) and ``SEAL_KEY_FILE`` (its
private key, RSA or EC, encrypted with ``SEAL_KEY_PASSWORD`` if that is set). In production this is
a qualified electronic seal; development, the demo and tests make a self-signed one
(``config/seal_files.py``) and everything that shows a seal says so (:attr:`Seal.self_signed`).

The key is read from its file for each use and dropped, never cached in the process, as the badge
signing keys are (``badges/keys.py``).
"""

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Seal:
    chain: tuple[x509.Certificate, ...]  # the seal's own certificate first
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def self_signed(self) -> bool:
        """True for a certificate that vouches for itself (the demo's): no trust service stands
        behind it, and a validator will say it is not trusted."""
        certificate = self.certificate
        return certificate.issuer == certificate.subject

    @property
    def holder(self) -> str:
        """The organisation named in the certificate (or its common name)."""
        for oid in (x509.NameOID.ORGANIZATION_NAME, x509.NameOID.COMMON_NAME):
            values = self.certificate.subject.get_attributes_for_oid(oid)
            if values:
                return str(values[0].value)
        return self.certificate.subject.rfc4514_string()

    def x5c(self) -> list[str]:
        """The chain as JOSE's ``x5c``: base64 of each DER certificate (RFC 7515 §4.1.6)."""
        return [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
            for c in self.chain
        ]

    def x5t_s256(self) -> str:
        """JOSE's ``x5t#S256``: base64url SHA-256 of the seal certificate's DER."""
        digest = hashlib.sha256(self.certificate.public_bytes(serialization.Encoding.DER)).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def jose_algorithm(self) -> str:
        """The JWS ``alg`` this key signs with (JAdES allows these; ETSI TS 119 312)."""
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return "RS256"
        curve_algorithms = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
        try:
            return curve_algorithms[key.curve.name]
        except KeyError:
            raise ImproperlyConfigured(
                f"The seal key's curve {key.curve.name} is not one JAdES signs with "
                "(P-256, P-384, P-521)."
            ) from None


class SealUnavailable(ImproperlyConfigured):
    """No seal is configured, or its files cannot be read: nothing is sealed. Safe to show."""


def _read(setting: str) -> bytes:
    path = getattr(settings, setting, None)
    if not path:
        raise SealUnavailable(f"{setting} is not set: the centre has no electronic seal.")
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SealUnavailable(f"{setting} cannot be read ({error.strerror}).") from error


def load_seal() -> Seal:
    """The configured seal; :class:`SealUnavailable` naming the setting when it is missing."""
    try:
        chain = tuple(x509.load_pem_x509_certificates(_read("SEAL_CERTIFICATE_FILE")))
    except ValueError as error:
        raise SealUnavailable("SEAL_CERTIFICATE_FILE holds no PEM certificate.") from error
    password = getattr(settings, "SEAL_KEY_PASSWORD", None)
    try:
        key = serialization.load_pem_private_key(
            _read("SEAL_KEY_FILE"), password=password.encode() if password else None
        )
    except (ValueError, TypeError) as error:
        raise SealUnavailable(
            "SEAL_KEY_FILE holds no private key that SEAL_KEY_PASSWORD opens."
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SealUnavailable("The seal key must be RSA or EC (P-256, P-384, P-521).")
    if key.public_key().public_numbers() != chain[0].public_key().public_numbers():
        raise SealUnavailable(
            "SEAL_KEY_FILE is not the key of the first certificate in SEAL_CERTIFICATE_FILE."
        )
    return Seal(chain=chain, private_key=key)


def seal_configured() -> bool:
    return bool(settings.SEAL_CERTIFICATE_FILE and settings.SEAL_KEY_FILE)
