"""Open Badges: the centre as issuer, a badge class per approved course, and issued assertions.

Issued badges are never deleted (PROTECT everywhere, no delete in the admin); their public URLs
use UUIDs and never change shape. One assertion per enrollment, enforced by the database.

Open Badges 3.0: every assertion also carries its signed credential (and the same credential as a
VC-JWT), its entry in a revocation status list, and the issuer key that signed it. Signing keys
are kept encrypted (``badges/keys.py``); no model method ever returns a private key.
"""

import copy
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from courses import rules


class Issuer(models.Model):
    """The awarding body: the centre (OB 2.0 Profile; OB 3.0 issuer Profile)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    url = models.URLField()
    email = models.EmailField()
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="issuers/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class BadgeClass(models.Model):
    """The achievement a course version awards, prefilled from its approved template."""

    class IssueMode(models.TextChoices):
        MANUAL = "manual", "Manual issue by role (after the course leader confirms completion)"
        AUTOMATIC = "automatic", "Automatic on course completion"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="badge_classes")
    # The course version it is awarded for; none for a pathway's own badge (Pathway.badge_class).
    course = models.OneToOneField(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="badge_class",
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    image = models.FileField(upload_to="badges/", help_text="A square PNG or SVG.")
    criteria_narrative = models.TextField(
        help_text="How the badge is earned: the outcomes and the assessments that show them."
    )
    level = models.CharField(max_length=30, choices=list(rules.BADGE_LEVELS.items()))
    tags = models.JSONField(default=list, blank=True)
    alignments = models.JSONField(
        default=list, help_text="One alignment per learning outcome of the approved version."
    )
    expires_after_months = models.PositiveSmallIntegerField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    issue_mode = models.CharField(max_length=10, choices=IssueMode.choices)
    message = models.TextField("congratulatory message")
    # EU micro-credential elements that OB has no property for (an extension in the JSON).
    ects_credits = models.PositiveSmallIntegerField()
    eqf_level = models.PositiveSmallIntegerField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    assessment_type = models.CharField(max_length=300, blank=True)
    participation_form = models.CharField(max_length=100, blank=True)
    quality_assurance = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The newest frozen version of this design (BadgeClassVersion): what issuance compares the
    # design with, loaded with the badge class so the comparison costs no query.
    latest_version = models.ForeignKey(
        "BadgeClassVersion",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "badge classes"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def design(self) -> dict:
        """What an issued badge says of its design, as a version keeps it (see DESIGN_FIELDS)."""
        return design_of(self, issuer=self.issuer)


# What a badge says at issue and keeps for ever: the design fields of BadgeClass, and the issuer
# as it was (the awarding body). A version holds these frozen.
DESIGN_FIELDS = (
    "name", "description", "image", "criteria_narrative", "level", "tags", "alignments",
    "expires_after_months", "expires_on", "issue_mode", "message", "ects_credits", "eqf_level",
    "hours", "assessment_type", "participation_form", "quality_assurance",
)  # fmt: skip
ISSUER_FIELDS = ("name", "url", "email", "description", "image")


def _comparable(value):
    """A field value as plain data, so a badge class and a version compare equal field by field
    (a file by its stored name, a Decimal by its value, a date by its ISO form)."""
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    if isinstance(value, Decimal):
        return str(value.normalize())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def design_of(source, *, issuer) -> dict:
    """The design of a badge class (or of a version, with its frozen issuer) as plain data."""
    design = {name: _comparable(getattr(source, name)) for name in DESIGN_FIELDS}
    design.update({f"issuer_{name}": _comparable(getattr(issuer, name)) for name in ISSUER_FIELDS})
    return design


class BadgeClassVersion(models.Model):
    """A badge class's design as badges were issued from it, frozen (DESIGN.md, "Badges").

    Its id is the OB 2.0 BadgeClass URL (``/public/badges/<id>``) and the OB 3.0 achievement id
    of every badge issued from it; version 1 has the badge class's own id, so the URLs published
    before versions existed stay the same. Issuance compares the badge class's design with its
    latest version (services.badge_version_current): a version no badge uses yet is brought up to
    date in place, a used one is never changed again and a new version follows it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The design fields, as on BadgeClass.
    name = models.CharField(max_length=200)
    description = models.TextField()
    image = models.FileField(upload_to="badges/", max_length=255)
    criteria_narrative = models.TextField()
    level = models.CharField(max_length=30, choices=list(rules.BADGE_LEVELS.items()))
    tags = models.JSONField(default=list, blank=True)
    alignments = models.JSONField(default=list)
    expires_after_months = models.PositiveSmallIntegerField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    issue_mode = models.CharField(max_length=10, choices=BadgeClass.IssueMode.choices)
    message = models.TextField("congratulatory message", blank=True)
    ects_credits = models.PositiveSmallIntegerField()
    eqf_level = models.PositiveSmallIntegerField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    assessment_type = models.CharField(max_length=300, blank=True)
    participation_form = models.CharField(max_length=100, blank=True)
    quality_assurance = models.TextField(blank=True)
    # The issuer as it was: the awarding body the badge names (its OB 2.0 profile URL is the
    # issuer's id, which never changes).
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField(max_length=200)
    issuer_url = models.URLField()
    issuer_email = models.EmailField()
    issuer_description = models.TextField(blank=True)
    issuer_image = models.FileField(upload_to="issuers/", blank=True, max_length=255)

    class Meta:
        ordering = ["badge_class", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_class", "number"], name="badge_version_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} (version {self.number})"

    @property
    def course(self):
        return self.badge_class.course

    @property
    def awarded_for(self) -> str:
        """What the badge is awarded for, in words: its course's title, or its pathway's name
        as this version froze it (a pathway badge is named after its pathway)."""
        if self.badge_class.course_id is not None:
            return self.course.title
        return f"the pathway {self.name}"

    @property
    def criteria_path(self) -> str:
        """The public catalogue page of what the badge is awarded for: its course, or its
        pathway (its criteria URL in every format)."""
        if self.badge_class.course_id is not None:
            return f"/courses/{self.course.lineage}/"
        return f"/pathways/{self.badge_class.pathway.pk}/"

    def design(self) -> dict:
        return design_of(self, issuer=self.frozen_issuer)

    @property
    def frozen_issuer(self) -> "FrozenIssuer":
        return FrozenIssuer(
            pk=self.issuer_id,
            name=self.issuer_name,
            url=self.issuer_url,
            email=self.issuer_email,
            description=self.issuer_description,
            image=self.issuer_image,
        )

    def set_design(self, design_source: BadgeClass) -> None:
        """Copy the badge class's current design (and its issuer as it is now) into this one."""
        for name in DESIGN_FIELDS:
            setattr(self, name, _stored(getattr(design_source, name)))
        issuer = design_source.issuer
        self.issuer_id = issuer.pk
        for name in ISSUER_FIELDS:
            setattr(self, f"issuer_{name}", _stored(getattr(issuer, name)))


def _stored(value):
    # A file is copied by its stored name: assigning another instance's FieldFile would re-bind
    # that object to this instance.
    if hasattr(value, "name") and hasattr(value, "storage"):
        return value.name or ""
    return copy.deepcopy(value)


@dataclass(frozen=True)
class FrozenIssuer:
    """The issuer as a version keeps it; reads like an Issuer (pk, name, url, …)."""

    pk: object
    name: str
    url: str
    email: str
    description: str
    image: object

    @property
    def id(self):
        return self.pk


class Assertion(models.Model):
    """A badge issued to one learner for one enrollment.

    The recipient is identified in the public JSON by a salted hash of their e-mail as it was at
    issue. Revocation keeps the row, with who, when and why.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="assertions")
    # What the badge says, frozen at issue: the version of the design it was issued from, and
    # per learning outcome whether (and by which assessments) the learner demonstrated it
    # (assessments.selectors.outcomes_demonstrated, OutcomeResults.as_json()).
    badge_version = models.ForeignKey(
        BadgeClassVersion, on_delete=models.PROTECT, related_name="assertions"
    )
    outcome_results = models.JSONField(default=list, blank=True)
    # What it was earned by: one enrollment (a course's badge) or one pathway (its own badge,
    # which stands on the learner's badges in `components`, frozen at issue).
    enrollment = models.OneToOneField(
        "courses.Enrollment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assertion",
    )
    pathway = models.ForeignKey(
        "Pathway",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assertions",
    )
    components = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="pathway_badges",
        help_text="The learner's badges a pathway badge stands on, as they were at issue.",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badges"
    )
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField()
    salt = models.CharField(max_length=64)
    recipient_hash = models.CharField(max_length=80)
    issued_on = models.DateTimeField()
    expires_on = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField(blank=True)
    evidence = models.JSONField(default=list, blank=True)
    # The offering the learner took, as it was at issue ({"title", "starts_on", "ends_on"}):
    # an offering's dates may be corrected later, what the badge says of them may not.
    took_part = models.JSONField(default=dict, blank=True, editable=False)
    automatic = models.BooleanField(default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.TextField(
        blank=True, help_text="Why a badge was issued to a learner who had not completed."
    )
    prior_learning = models.BooleanField(
        default=False,
        help_text="Awarded by recognition of prior learning: the learner's evidence was judged "
        "against the course's outcomes instead of their taking the course.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden = models.BooleanField(
        default=False, help_text="Hidden from the learner's public profile (the link still works)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Open Badges 3.0 (badges/credentials.py). Kept as the JSON text that was signed and verified,
    # byte for byte: jsonb would reorder the keys of what we serve.
    credential_json = models.TextField("signed OB 3.0 credential", blank=True, editable=False)
    credential_jwt = models.TextField("the credential as a VC-JWT", blank=True, editable=False)
    signing_key = models.ForeignKey(
        "SigningKey",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="assertions",
    )
    status_list = models.ForeignKey(
        "StatusList",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="assertions",
    )
    status_index = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_on", "id"]
        indexes = [models.Index(fields=["badge_class", "issued_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="assertion_revocation_has_reason",
            ),
            # An entry in a status list belongs to one credential, whatever the race.
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="assertion_one_per_status_entry"
            ),
            models.CheckConstraint(
                condition=Q(status_list__isnull=True, status_index__isnull=True)
                | Q(status_list__isnull=False, status_index__isnull=False),
                name="assertion_status_entry_complete",
            ),
            models.CheckConstraint(
                condition=Q(credential_json="") | Q(signing_key__isnull=False),
                name="assertion_credential_has_key",
            ),
            models.CheckConstraint(
                condition=Q(enrollment__isnull=False, pathway__isnull=True)
                | Q(enrollment__isnull=True, pathway__isnull=False),
                name="assertion_earned_by_enrollment_or_pathway",
            ),
            # A pathway's badge is issued to a learner once, whatever the race and even after
            # a revocation (as a course's badge once per enrollment): the sweep never re-issues
            # what the centre revoked.
            models.UniqueConstraint(
                fields=["pathway", "recipient"],
                condition=Q(pathway__isnull=False),
                name="assertion_one_per_pathway_learner",
            ),
        ]

    def __str__(self):
        return f"{self.badge_version.name} — {self.recipient_name}"

    @property
    def revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now):
        return self.expires_on is not None and self.expires_on <= now

    def status(self, now):
        if self.revoked:
            return "revoked"
        if self.is_expired(now):
            return "expired"
        return "valid"

    @property
    def has_credential(self):
        return bool(self.credential_json)

    @property
    def by_decision(self) -> bool:
        """Awarded by decision of the centre (an override with its recorded reason)."""
        return bool(self.override_reason)


class SigningKey(models.Model):
    """An issuer's Ed25519 key for signing OB 3.0 credentials, the private half encrypted.

    One key per issuer is active and signs; rotation retires it, and a retired key stays
    published in the issuer's controller document so what it signed still verifies (the shape
    of Django's SECRET_KEY_FALLBACKS). A compromised key is withdrawn from the document, so
    what it signed no longer verifies. The private key is AES-256-GCM ciphertext under the
    key-encryption key named by ``kek_id`` (BADGE_KEK, from the environment); see keys.py.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active (signs new credentials)"
        RETIRED = "retired", "Retired (published, so earlier credentials verify)"
        COMPROMISED = "compromised", "Compromised (withdrawn: its credentials no longer verify)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="signing_keys")
    # The verification method is the issuer's controller document URL + "#" + fragment.
    fragment = models.CharField(max_length=64, editable=False)
    public_key_multibase = models.CharField(max_length=64, unique=True, editable=False)
    private_key_ciphertext = models.BinaryField(editable=False)
    kek_id = models.CharField("key-encryption key id", max_length=32, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    compromised_at = models.DateTimeField(null=True, blank=True)
    compromise_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["issuer", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer"],
                condition=Q(status="active"),
                name="signing_key_one_active_per_issuer",
            ),
            models.UniqueConstraint(
                fields=["issuer", "fragment"], name="signing_key_fragment_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="compromised")
                | (Q(compromised_at__isnull=False) & ~Q(compromise_reason="")),
                name="signing_key_compromise_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.issuer} — {self.fragment} ({self.status})"

    def __repr__(self):
        # Never the ciphertext, even in a traceback.
        return f"<SigningKey {self.pk} {self.fragment} {self.status}>"

    @property
    def published(self):
        """Listed in the issuer's controller document (so its signatures verify)."""
        return self.status != self.Status.COMPROMISED


class StatusList(models.Model):
    """A W3C Bitstring Status List of an issuer (revocation), served as a signed credential.

    ``encoded_list`` is the current bitstring (GZIP, multibase), changed together with the
    revocation in one transaction; ``revision`` counts those changes, and the signed credential
    published on commit records the revision it shows. Handing out entries is the job of the
    list's :class:`StatusListAllocation` row, so issuance never holds this row's lock.
    """

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", "Revocation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="status_lists")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.REVOCATION)
    encoded_list = models.TextField(editable=False)
    revision = models.PositiveIntegerField(default=0, editable=False)
    credential_json = models.TextField(blank=True, editable=False)
    published_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issuer", "created_at"]

    def __str__(self):
        return f"{self.get_purpose_display()} list {self.pk}"


class StatusListAllocation(models.Model):
    """Which entries of a status list are handed out: the first ``allocated`` positions of a
    keyed pseudo-random permutation of its ``size`` indexes (status.py), so neither the list nor
    an index says when a badge was issued.

    A row of its own because an issuing transaction keeps it locked until it commits (bulk
    issuance: for as long as it signs): revocation and publishing lock the list's row instead,
    and never wait for issuance.
    """

    status_list = models.OneToOneField(
        StatusList, primary_key=True, on_delete=models.PROTECT, related_name="allocation"
    )
    size = models.PositiveIntegerField(editable=False)
    allocated = models.PositiveIntegerField(default=0, editable=False)
    permutation_key = models.BinaryField(editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("size")), name="status_list_not_overfull"
            ),
            models.CheckConstraint(condition=Q(size__gte=131_072), name="status_list_minimum_size"),
        ]

    def __str__(self):
        return f"{self.status_list_id}: {self.allocated}/{self.size} entries handed out"


class WalletOffer(models.Model):
    """A badge offered to the learner's wallet over OpenID4VCI (openid4vci.py, wallet.py): a
    pre-authorized code that works once, for minutes, with a transaction code the learner reads
    off their badge page; the access token it buys; and the holder-bound copy the wallet
    received. Codes and tokens are kept as SHA-256 hashes only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assertion = models.ForeignKey(Assertion, on_delete=models.PROTECT, related_name="wallet_offers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    code_hash = models.CharField(max_length=64, unique=True)
    tx_code_hash = models.CharField(max_length=64)
    failed_tx_codes = models.PositiveSmallIntegerField(default=0)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    configuration_id = models.CharField(max_length=60, blank=True)
    holder = models.CharField("the wallet's DID", max_length=600, blank=True)
    credential = models.TextField("the holder-bound credential sent", blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Wallet offer of {self.assertion_id} ({self.created_at:%Y-%m-%d %H:%M})"


class ImportedBadge(models.Model):
    """A badge from another issuer kept in a learner's backpack (OB 3.0 §Host certification:
    import, verify, display, export). What was received is kept as it came, bytes for a baked
    image and text for JSON or a JWT, so the export is the very file; beside it, what this
    centre's one verifier (verification.py) said of it at its last check. Written only through
    imports.py."""

    class Kind(models.TextChoices):
        PNG = "png", "Baked PNG image"
        SVG = "svg", "Baked SVG image"
        JSON = "json", "JSON credential or assertion"
        JWT = "jwt", "VC-JWT"

    # The verifier's verdicts (verification.Report.verdict): a recheck may find any of them.
    class Verdict(models.TextChoices):
        VALID = "valid", "Valid"
        EXPIRED = "expired", "Expired"
        UNVERIFIABLE = "unverifiable", "Cannot be checked offline"
        NOT_YET_VALID = "not_yet_valid", "Not valid yet"
        REVOKED = "revoked", "Revoked"
        INVALID = "invalid", "Not valid"

    MAX_BYTES = 2 * 1024 * 1024  # verification.MAX_INPUT_BYTES: nothing larger is ever verified
    IMAGE_KINDS = (Kind.PNG, Kind.SVG)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_badges"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    filename = models.CharField("the name it was received under", max_length=200)
    content = models.BinaryField("a baked image, as received", null=True, blank=True)
    text = models.TextField("JSON or a JWT, as received", blank=True)
    sha256 = models.CharField(max_length=64)
    name = models.CharField("the badge's name, as it claims", max_length=300, blank=True)
    image = models.TextField("its image as a data: URI, or empty", blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    summary = models.TextField(blank=True)
    format = models.CharField(max_length=100)
    issuer_identifier = models.CharField(max_length=600, blank=True)
    issuer_name = models.CharField("the issuer's name, as it claims", max_length=300, blank=True)
    checks = models.JSONField(default=list)
    checked_at = models.DateTimeField()
    hidden_from_profile = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            # The same file imported twice is the same badge, whatever the race.
            models.UniqueConstraint(fields=["owner", "sha256"], name="imported_badge_once"),
            # Images are kept as bytes and documents as text, never both, never neither.
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["png", "svg"], content__isnull=False, text="")
                    | (Q(kind__in=["json", "jwt"], content__isnull=True) & ~Q(text=""))
                ),
                name="imported_badge_kept_as_received",
            ),
        ]

    def __str__(self):
        return f"{self.name or self.filename} (imported by {self.owner_id})"

    # The colours of the centre's own badge states (site.css), by what each verdict means.
    STATE_STYLE = {
        "valid": "valid",
        "expired": "expired",
        "not_yet_valid": "expired",
        "unverifiable": "hidden",
        "revoked": "revoked",
        "invalid": "revoked",
    }

    @property
    def state_style(self) -> str:
        return self.STATE_STYLE.get(self.verdict, "hidden")

    @property
    def data(self) -> bytes:
        """The file exactly as it was received."""
        return bytes(self.content) if self.kind in self.IMAGE_KINDS else self.text.encode()


class RegisteredClient(models.Model):
    """What an application said of itself when it registered for the Open Badges 3.0 API
    (RFC 7591, ob3_api.py), and the scopes it was granted then: it may never ask a learner for
    more (ob3_scopes.RegisteredScopes)."""

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="registration",
    )
    scope = models.TextField(help_text="The scopes granted at registration, space-separated.")
    metadata = models.JSONField(default=dict, help_text="The client metadata as registered.")
    registered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Registration of {self.application_id}"


class Pathway(models.Model):
    """Stackable micro-credentials: course badges that together earn the pathway's own badge.

    The LEADS team names the badges and the rule; the pathway's badge (``badge_class``, no course)
    is issued by Celery when a learner's badges first satisfy it (pathways.py). The rule is kept
    as data (``Rule``) and checked on save by :func:`badges.pathway_rules.pathway_problems`.
    """

    class Rule(models.TextChoices):
        ALL = "all", "All of its badges"
        ANY = "any", "Any N of its badges"
        REQUIRED_PLUS = "required_plus", "Every required badge plus N electives"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField()
    rule = models.CharField(max_length=20, choices=Rule.choices, default=Rule.ALL)
    count = models.PositiveSmallIntegerField(
        "N",
        default=0,
        help_text="How many badges (any N) or how many electives (required plus N).",
    )
    eqf_level = models.PositiveSmallIntegerField("EQF level", null=True, blank=True)
    badge_class = models.OneToOneField(
        BadgeClass, on_delete=models.PROTECT, related_name="pathway", editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rule="all", count=0) | (~Q(rule="all") & Q(count__gte=1)),
                name="pathway_count_fits_rule",
            ),
            models.CheckConstraint(
                condition=Q(eqf_level__isnull=True) | Q(eqf_level__gte=1, eqf_level__lte=8),
                name="pathway_eqf_level_1_to_8",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def published(self) -> bool:
        return self.published_at is not None


class PathwayComponent(models.Model):
    """One badge of a pathway, required or elective (electives matter only to REQUIRED_PLUS)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="components")
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, related_name="pathway_components"
    )
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pathway", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "badge_class"], name="pathway_component_once"
            ),
        ]

    def __str__(self):
        return f"{self.badge_class} in {self.pathway}"
