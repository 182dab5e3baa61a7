"""The audit trail: who changed what, and when, where the change has no record of its own.

Course moves have theirs (CourseTransition, leads' Decision). Signing-key rotation and
compromise, appointing a dean, editing a badge design and creating or changing an offering each
call :func:`audit_record` from their service, inside the transaction of the change, so an entry
exists exactly when the change does (Zulip's ``RealmAuditLog``, written by its actions). Every
app may call this: ``accounts`` is at the bottom of the dependency chain.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from .models import AUDIT_ACTIONS, AuditEntry, User

HISTORY_LENGTH = 10


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    summary: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """Record that `actor` (None: the system) did `action` to `target`.

    `changes` is ``{"field": [old, new]}``; values are made JSON-safe here (dates as ISO strings,
    objects by their names). Call it from the service that makes the change, inside its
    transaction: a change that is rolled back takes its entry with it.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to AUDIT_ACTIONS.")
    if target.pk is None:
        raise ValueError("Audit a saved object: it has no id yet.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record belongs inside the transaction of the change.")
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_label=str(target)[:300],
        summary=summary,
        changes=json_safe(changes or {}),
    )


def field_changes(before: models.Model, after: models.Model, fields: Iterable[str]) -> dict:
    """``{"field": [old, new]}`` for the named fields that differ between two states of one
    instance: `before` is a copy taken before the change (``copy.copy``), `after` the instance
    as saved. A foreign key is compared by id and recorded by the related object's name."""
    changes = {}
    for name in fields:
        field = before._meta.get_field(name)
        if field.is_relation and field.many_to_one:
            if getattr(before, field.attname) == getattr(after, field.attname):
                continue
            changes[name] = [getattr(before, name), getattr(after, name)]
            continue
        old, new = getattr(before, name), getattr(after, name)
        if isinstance(old, FieldFile) or isinstance(new, FieldFile):
            old, new = _file_name(old), _file_name(new)
        if old != new:
            changes[name] = [old, new]
    return json_safe(changes)


def _file_name(value):
    return (getattr(value, "name", None) or None) if value is not None else None


def json_safe(value):
    """`value` as JSON: dates and times as ISO strings, decimals and UUIDs as strings, files by
    their stored name, model instances by their names."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return _file_name(value)
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return str(value)


def audit_history(target: models.Model, *, limit: int = HISTORY_LENGTH) -> list[AuditEntry]:
    """The latest entries about one object, newest first, with their actors: one query."""
    return list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        ).select_related("actor")[:limit]
    )
