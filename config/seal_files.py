"""A self-signed electronic seal for development, the demo and tests: never for production.

The centre seals its European Digital Credentials (JAdES) and PDFs (PAdES) with an X.509
certificate and key given by settings (``SEAL_CERTIFICATE_FILE``, ``SEAL_KEY_FILE``); in
production that is a qualified electronic seal bought from a trust service provider. Where none is
given, ``local.py`` and ``test.py`` call :func:`ensure_self_signed_seal` for a P-256 key and a
certificate that says in its own name that it is a demonstration seal, so nobody mistakes it for a
qualified one, and ``badges/seal.py`` reports it as self-signed wherever it is shown.
"""

import datetime
from pathlib import Path

SELF_SIGNED_MARK = "demonstration seal, not qualified"


def ensure_self_signed_seal(
    directory: Path, *, organisation: str, country: str = "PK"
) -> tuple[Path, Path]:
    """The (certificate, key) PEM files in ``directory``, made once if they are not there."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    certificate_path, key_path = directory / "seal-certificate.pem", directory / "seal-key.pem"
    if certificate_path.exists() and key_path.exists():
        return certificate_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                f"{organisation[: 61 - len(SELF_SIGNED_MARK)]} ({SELF_SIGNED_MARK})",
            ),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate_path, key_path
