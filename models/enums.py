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


class NotificationStatus(StrEnum):
    """PENDING: waiting for its next attempt; SENT: delivered; FAILED: gave up after the last allowed attempt."""

    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
