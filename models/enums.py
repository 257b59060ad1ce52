"""Enumerations shared by the models, the services and the GraphQL schema.

They live below every layer that uses them so that none of those layers imports another just for a name.
"""

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "CITIZEN"
    OFFICER = "OFFICER"
    AGENCY_ADMIN = "AGENCY_ADMIN"
    ADMIN = "ADMIN"


class CategoryKind(StrEnum):
    VIOLATION = "VIOLATION"
    INFRASTRUCTURE = "INFRASTRUCTURE"


class AgencyKind(StrEnum):
    TRAFFIC_POLICE = "TRAFFIC_POLICE"
    WARD_POLICE = "WARD_POLICE"
    INFRASTRUCTURE = "INFRASTRUCTURE"
    WARD_COMMITTEE = "WARD_COMMITTEE"
    OTHER = "OTHER"


class WardKind(StrEnum):
    WARD = "WARD"
    COMMUNE = "COMMUNE"


class Channel(StrEnum):
    ZALO = "ZALO"
    IHANOI = "IHANOI"
    HOTLINE = "HOTLINE"
    WEB = "WEB"
    # Recorded by agency staff for a provider who came in person or wrote by post (`services.intake`).
    WALK_IN = "WALK_IN"
    POST = "POST"


class ReportStatus(StrEnum):
    """Where a report stands. ACCEPTED means sufficient basis to verify; PENALIZED and RESOLVED follow it."""

    ROUTED = "ROUTED"
    ASSIGNED = "ASSIGNED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    PENALIZED = "PENALIZED"
    RESOLVED = "RESOLVED"


class DecisionOutcome(StrEnum):
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"
    PENALIZE = "PENALIZE"
    RESOLVE = "RESOLVE"


class IdentityProvider(StrEnum):
    ZALO = "ZALO"
    PHONE = "PHONE"


class MediaKind(StrEnum):
    PHOTO = "PHOTO"
    VIDEO = "VIDEO"


class MediaStatus(StrEnum):
    PENDING = "PENDING"
    READY = "READY"
    REJECTED = "REJECTED"


class ReportEventKind(StrEnum):
    SUBMITTED = "SUBMITTED"
    ROUTED = "ROUTED"
    ASSIGNED = "ASSIGNED"
    TRANSFERRED = "TRANSFERRED"
    DECIDED = "DECIDED"
    DUPLICATE_FLAGGED = "DUPLICATE_FLAGGED"
    DEADLINE_EXTENDED = "DEADLINE_EXTENDED"
    ANSWER_REQUESTED = "ANSWER_REQUESTED"


class CustodyKind(StrEnum):
    """What happened to a report's evidence, as written in its chain of custody (`services.custody`)."""

    RECEIVED = "RECEIVED"
    CHECKED = "CHECKED"
    DERIVATIVE_MADE = "DERIVATIVE_MADE"
    VIEWED_ORIGINAL = "VIEWED_ORIGINAL"
    EXPORTED = "EXPORTED"
    DECIDED = "DECIDED"
    TRANSFERRED = "TRANSFERRED"


class NotificationChannel(StrEnum):
    """How an answer travels: a Zalo OA message to a Zalo user id, or an SMS to a phone (a provider recorded by staff
    who has no app account, `services.intake`)."""

    ZALO = "ZALO"
    SMS = "SMS"


class NotificationStatus(StrEnum):
    """PENDING: waiting for its next attempt; SENT: delivered; FAILED: gave up after the last allowed attempt;
    SKIPPED: never sent, because no OA may reach the citizen (the reason is in `last_error`)."""

    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
