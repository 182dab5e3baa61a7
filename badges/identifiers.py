"""The stable public identifiers of our Open Badges 3.0 documents (all absolute, from SITE_URL).

- the credential: ``/public/assertions/<id>/credential``;
- the issuer (``issuer.id``) is its controller document, ``/public/issuers/<id>/keys``, which lists
  the Multikey verification methods ``…/keys#<fragment>``. It cannot be the OB 2.0 profile URL
  ``/public/issuers/<id>``: a VC verifier needs the credential's issuer to be the key's controller
  and reads the controller document as a DID-context document (``@context`` starting with the DID
  v1 context), which JSON-LD 1.0 processors such as the 1EdTech OB 2.0 validator cannot read.
  The two documents name each other (``alsoKnownAs`` there, ``otherIdentifier`` in the issuer
  profile);
- the status list: ``/public/status/<id>`` (``badges/status.py``);
- the EU extension's JSON-LD 1.1 context: ``/public/contexts/eu-microcredential-ob3-v1.json``.

Plain functions of ids, importing none of the modules that compose, sign or keep keys.
"""

from django.conf import settings
from django.urls import reverse

EU_CONTEXT_OB3_PATH = "/public/contexts/eu-microcredential-ob3-v1.json"


def _absolute(name: str, pk) -> str:
    return settings.SITE_URL + reverse(name, args=[str(pk)])


def issuer_controller_id(issuer_id) -> str:
    """The issuer's id in OB 3.0 credentials: its controller document's URL."""
    return _absolute("badges:issuer_keys", issuer_id)


def verification_method_id(signing_key) -> str:
    return f"{issuer_controller_id(signing_key.issuer_id)}#{signing_key.fragment}"


def credential_url(assertion_id) -> str:
    return _absolute("badges:credential", assertion_id)


def status_list_url(status_list_id) -> str:
    return _absolute("badges:status_list", status_list_id)


def eu_context_url() -> str:
    return settings.SITE_URL + EU_CONTEXT_OB3_PATH


def issuer_profile_url(issuer_id) -> str:
    """The issuer's OB 2.0 profile, which its OB 3.0 documents name as another identifier."""
    return _absolute("badges:issuer", issuer_id)


def badge_class_url(version_id) -> str:
    """A badge class version's OB 2.0 BadgeClass URL, also its OB 3.0 Achievement id."""
    return _absolute("badges:badge_class", version_id)


def badge_class_image_url(version_id) -> str:
    return _absolute("badges:badge_class_image", version_id)
