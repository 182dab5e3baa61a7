"""1EdTech's published JSON Schemas for Open Badges 3.0, loaded from the files shipped here.

The files in ``schemas/`` are unchanged copies of what 1EdTech publishes under
https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ (``schemas/README.md`` says where each copy
came from). Nothing here fetches: every schema is registered under its ``$id`` in a
``referencing`` registry, so a ``$ref`` to one of those URLs resolves to the shipped file, and a
``$ref`` to anything else fails instead of going to the network.

- OB 3.0 §B.1.2 AchievementCredential: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
- OB 3.0 §6 (API) and Appendix E (JSON Schemas):
  https://www.imsglobal.org/spec/ob/v3p0/#api, https://www.imsglobal.org/spec/ob/v3p0/#json-schema
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import referencing
import referencing.exceptions
from jsonschema import FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

SCHEMAS_DIR = Path(__file__).with_name("schemas")

# What purl.imsglobal.org serves at .../schema/json/<name> today: 1EdTech's "JSON-LD Schema
# adaptation", which accepts a single value wherever the data model has an array (JSON-LD
# compaction turns one-element arrays into single values).
ACHIEVEMENT_CREDENTIAL = "ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_CREDENTIAL = "ob_v3p0_endorsementcredential_schema.json"
GET_OPEN_BADGE_CREDENTIALS_RESPONSE = "ob_v3p0_getopenbadgecredentialsresponse_schema.json"
PROFILE = "ob_v3p0_profile_schema.json"
IMSX_STATUS_INFO = "ob_v3p0_imsx_statusinfo_schema.json"
# The formal AchievementCredential schema as 1EdTech published it in 2024 (``proof`` and the
# other multi-valued properties only as arrays); a consumer validating strictly uses this one.
ACHIEVEMENT_CREDENTIAL_FORMAL = "formal/ob_v3p0_achievementcredential_schema.json"

# RFC 3339 §5.6 date-time, which JSON Schema's "date-time" format means. jsonschema checks
# "date-time" only when the optional rfc3339-validator is installed; this keeps the check
# without another dependency.
_RFC3339_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


def _is_rfc3339_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings
    if not _RFC3339_DATE_TIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("date-time")(_is_rfc3339_date_time)
    return checker


def names() -> tuple[str, ...]:
    """Every shipped schema, as its path under ``schemas/``."""
    return tuple(sorted(str(path.relative_to(SCHEMAS_DIR)) for path in SCHEMAS_DIR.rglob("*.json")))


@functools.cache
def _text(name: str) -> str:
    return (SCHEMAS_DIR / name).read_text(encoding="utf-8")


def schema(name: str) -> dict:
    """A fresh parsed copy of the shipped schema ``name`` (a path under ``schemas/``)."""
    return json.loads(_text(name))


def _refuse(uri: str):
    raise referencing.exceptions.NoSuchResource(ref=uri)


@functools.cache
def registry() -> referencing.Registry:
    """Every shipped schema under its ``$id``; any other URI is refused, never fetched."""
    resources = []
    for name in names():
        contents = schema(name)
        resource = referencing.Resource.from_contents(contents)
        resources.append((contents["$id"], resource))
    return referencing.Registry(retrieve=_refuse).with_resources(resources)


def validator(name: str) -> Validator:
    """A validator for schema ``name`` in the JSON Schema draft its ``$schema`` declares
    (2019-09 for all of 1EdTech's OB 3.0 schemas), with format checks on."""
    contents = schema(name)
    cls = validator_for(contents)
    cls.check_schema(contents)
    return cls(contents, registry=registry(), format_checker=_format_checker())


def errors(name: str, instance: Mapping) -> list[str]:
    """Every way ``instance`` fails schema ``name``: "<path>: <message>", empty if it passes."""
    found = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message[:300]}" for e in found]
