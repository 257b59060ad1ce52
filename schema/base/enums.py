"""Every enum of the contract, registered once here with its GraphQL name and description.

Types, inputs and arguments import their enums from this module, never from `models` or `services`: strawberry
fixes an enum's name and description the first time a type uses it, so this import is what guarantees that the
registration below comes first.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeAlias

import strawberry

from models import enums
from services.exports import formats as export_formats
from services.handoff import joins
from services.intake import providers
from services.statistics import figures, sql

AccountJoinOfferStatus: TypeAlias = joins.JoinOfferStatus
AgencyKind: TypeAlias = enums.AgencyKind
CategoryKind: TypeAlias = enums.CategoryKind
Channel: TypeAlias = enums.Channel
CustodyKind: TypeAlias = enums.CustodyKind
DecisionOutcome: TypeAlias = enums.DecisionOutcome
ExportFormat: TypeAlias = export_formats.ExportFormat
MediaKind: TypeAlias = enums.MediaKind
MediaStatus: TypeAlias = enums.MediaStatus
NotificationStatus: TypeAlias = enums.NotificationStatus
ProviderAnswer: TypeAlias = providers.ProviderAnswer
ReportEventKind: TypeAlias = enums.ReportEventKind
ReportStatus: TypeAlias = enums.ReportStatus
Role: TypeAlias = enums.Role
StatisticsAudience: TypeAlias = figures.Audience
StatisticsInterval: TypeAlias = sql.Interval
WardKind: TypeAlias = enums.WardKind

DESCRIPTIONS: dict[type[Enum], str] = {
    AccountJoinOfferStatus: "CONFIRMABLE: your verified sign-in phone is the one the Zalo account proved, so you may "
    "join the two accounts (confirmAccountJoin); PHONE_MISMATCH: it is not, so they cannot be joined; SAME_ACCOUNT: "
    "they are one account already.",
    AgencyKind: "TRAFFIC_POLICE: the city traffic police and its teams; WARD_POLICE: police of a ward or commune; "
    "INFRASTRUCTURE: road-infrastructure maintenance; WARD_COMMITTEE: a ward's people's committee; OTHER.",
    CategoryKind: "VIOLATION: a traffic violation; INFRASTRUCTURE: a road fault.",
    Channel: "Where a report came from: the Zalo mini-app, iHanoi, the hotline, the web; WALK_IN and POST: brought "
    "to an agency in person or by post. HOTLINE, WALK_IN and POST reports are recorded by staff (recordReport).",
    CustodyKind: "What a chain-of-custody entry records: RECEIVED (the report and its originals' SHA-256 fixed), "
    "CHECKED (an original passed its checks), DERIVATIVE_MADE (the served copy made), VIEWED_ORIGINAL (staff obtained "
    "an original at full resolution), EXPORTED (an evidence dossier made), DECIDED, TRANSFERRED (to another agency).",
    DecisionOutcome: "ACCEPT: sufficient basis to verify; REJECT: insufficient basis; PENALIZE: a violation record "
    "and fine (after ACCEPT); RESOLVE: handled without a fine (an infrastructure fault fixed, say).",
    ExportFormat: "CSV (UTF-8 with a byte-order mark, for Excel and scripts) or XLSX (an Excel workbook of one sheet).",
    MediaKind: "PHOTO (JPEG, PNG, WebP, HEIC) or VIDEO.",
    MediaStatus: "PENDING: bytes not yet checked; READY: checked, usable in a report; REJECTED: refused, unusable.",
    NotificationStatus: "PENDING: waiting to be sent (or retried); SENT: Zalo took it; FAILED: given up after the "
    "last attempt; SKIPPED: not sent, because no Zalo OA may reach the citizen (the reason says why).",
    ProviderAnswer: "How the provider of a recorded report hears the answers: SMS to their phone (no app account); "
    "APP: in the app (Zalo, or the city app signed in with that phone); NONE: no phone was given.",
    ReportEventKind: "What happened to a report at one point of its timeline.",
    ReportStatus: "ROUTED: with an agency, nobody assigned; ASSIGNED: with an officer; ACCEPTED: sufficient basis to "
    "verify; REJECTED: insufficient basis (final); PENALIZED: fined (final); RESOLVED: handled without a fine (final).",
    Role: "CITIZEN: signed in through Zalo or a phone code; OFFICER: staff of one agency; AGENCY_ADMIN: head of one "
    "agency; ADMIN: city operator.",
    StatisticsAudience: "Whose figures these are: PUBLIC (the city's published figures, for citizens and anonymous "
    "callers), CITY (admins), AGENCY (the caller's own agency, for its staff).",
    StatisticsInterval: "Time buckets in Hanoi time (UTC+7): calendar days, ISO weeks starting on Monday, months.",
    WardKind: "WARD (phường) or COMMUNE (xã).",
}
# The GraphQL name is the Python name, except where the service's own name is too general for the contract.
NAMES: dict[type[Enum], str] = {
    AccountJoinOfferStatus: "AccountJoinOfferStatus",
    StatisticsAudience: "StatisticsAudience",
    StatisticsInterval: "StatisticsInterval",
}

for _enum, _description in DESCRIPTIONS.items():
    strawberry.enum(_enum, name=NAMES.get(_enum, _enum.__name__), description=_description)
