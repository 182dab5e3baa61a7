"""The kinds of file a learner may hand in, recognised by their content, never by their name.

A file is accepted only when its first bytes say what its name's extension says (`filetype`
reads the signature): a script renamed `essay.pdf` or a web page renamed `photo.png` is refused.
Web pages, SVG and anything else a browser could run are never accepted.
"""

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.db import models


class FileKind(models.TextChoices):
    IMAGE = "image", "Images (JPEG, PNG, WebP, GIF)"
    PDF = "pdf", "PDF documents"
    OFFICE = "office", "Office documents (Word, Excel, PowerPoint, OpenDocument)"
    VIDEO = "video", "Video (MP4, WebM, QuickTime)"

    @classmethod
    def default_list(cls):
        return [cls.IMAGE, cls.PDF, cls.OFFICE]


# extension → (kind, the extensions `filetype` may report for such a file)
_EXTENSIONS = {
    ".jpg": (FileKind.IMAGE, {"jpg"}),
    ".jpeg": (FileKind.IMAGE, {"jpg"}),
    ".png": (FileKind.IMAGE, {"png"}),
    ".webp": (FileKind.IMAGE, {"webp"}),
    ".gif": (FileKind.IMAGE, {"gif"}),
    ".pdf": (FileKind.PDF, {"pdf"}),
    ".docx": (FileKind.OFFICE, {"docx", "zip"}),
    ".xlsx": (FileKind.OFFICE, {"xlsx", "zip"}),
    ".pptx": (FileKind.OFFICE, {"pptx", "zip"}),
    ".odt": (FileKind.OFFICE, {"odt", "zip"}),
    ".ods": (FileKind.OFFICE, {"ods", "zip"}),
    ".odp": (FileKind.OFFICE, {"odp", "zip"}),
    ".mp4": (FileKind.VIDEO, {"mp4", "m4v"}),
    ".m4v": (FileKind.VIDEO, {"mp4", "m4v"}),
    ".webm": (FileKind.VIDEO, {"webm"}),
    ".mov": (FileKind.VIDEO, {"mov"}),
}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "mov": "video/quicktime",
}
# Office files are ZIP archives; the members that make one what it says it is.
_OFFICE_MEMBERS = {
    ".docx": "word/",
    ".xlsx": "xl/",
    ".pptx": "ppt/",
}
_OPEN_DOCUMENT = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
    ".odp": b"application/vnd.oasis.opendocument.presentation",
}


@dataclass(frozen=True)
class Recognised:
    kind: FileKind
    content_type: str


class FileRefused(ValueError):
    """A file whose type is refused or whose content is not what its name says."""


def accepted_extensions(kinds) -> list[str]:
    return sorted(ext for ext, (kind, _) in _EXTENSIONS.items() if kind in kinds)


def recognise(name: str, head: bytes, *, kinds) -> Recognised:
    """What this file is, from its name and first bytes (at least 8 KB), or FileRefused."""
    suffix = PurePath(name).suffix.lower()
    allowed = accepted_extensions(kinds)
    if suffix not in _EXTENSIONS or _EXTENSIONS[suffix][0] not in kinds:
        raise FileRefused(
            f"“{name}” is not a kind of file this assessment accepts. Accepted: "
            + ", ".join(allowed)
            + "."
        )
    kind, signatures = _EXTENSIONS[suffix]
    found = filetype.guess(head)
    if found is None or found.extension not in signatures or not _office_member_ok(suffix, head):
        raise FileRefused(
            f"“{name}” does not contain what its name says (a {suffix[1:].upper()} file). "
            "Save it again in that format, or rename it to what it is."
        )
    return Recognised(
        kind=kind, content_type=CONTENT_TYPES[suffix.lstrip(".").replace("jpeg", "jpg")]
    )


def _office_member_ok(suffix, head):
    if suffix in _OFFICE_MEMBERS:
        # The archive's member names are in its local headers: a .docx holds word/…
        return _OFFICE_MEMBERS[suffix].encode() in head
    if suffix in _OPEN_DOCUMENT:
        return _OPEN_DOCUMENT[suffix] in head
    return True
