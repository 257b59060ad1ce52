"""The texts citizens get on Zalo, within what the OA message API takes.

Answers go out as consultation messages (`POST /message/cs`, a text to a user id): Zalo takes at most 2,000
characters of text, only to users who follow the OA and have not blocked it, and only within a window after the
user's last interaction with the OA (48 hours in Zalo's current rules; outside it Zalo refuses the message and the
refusal is kept in `last_error`). They carry service information only, never advertising or links to other sites,
which Zalo's content rules forbid in consultation messages. Transaction messages (`/message/transaction`, a reviewed
template with a header, a text and a table) reach users outside that window but need an OA with that permission and
templates Zalo approves; our texts keep to one short Vietnamese paragraph, the report code first, so that they fit a
template's text element unchanged when an OA gets one.
"""

from __future__ import annotations

from models.enums import ReportStatus

TEXT_MAX = 2000  # the Zalo OA text message limit, in characters
ELLIPSIS = "…"
STATUS_TEXT = {
    ReportStatus.ACCEPTED: "đã được tiếp nhận, đủ cơ sở xác minh",
    ReportStatus.REJECTED: "không đủ cơ sở xử lý",
    ReportStatus.PENALIZED: "đã được xử phạt",
    ReportStatus.RESOLVED: "đã được xử lý",
}


def fit(head: str, tail: str = "") -> str:
    """`head`, then as much of `tail` (an officer's free text) as fits in TEXT_MAX, cut with an ellipsis: what
    identifies the report is never the part cut off."""
    text = f"{head} {tail}".strip() if tail else head
    if len(text) <= TEXT_MAX:
        return text
    return text[: TEXT_MAX - len(ELLIPSIS)] + ELLIPSIS


def decision_text(code: str, status: ReportStatus, response_to_citizen: str) -> str:
    return fit(f"Phản ánh {code} {STATUS_TEXT.get(status, status.value)}.", response_to_citizen)


def transfer_text(code: str, agency_name: str) -> str:
    return fit(f"Phản ánh {code} đã được chuyển đến {agency_name} để xử lý theo thẩm quyền.")
