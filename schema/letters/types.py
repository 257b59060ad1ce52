"""The written answer as its author sees it on their report."""

from __future__ import annotations

from datetime import datetime

import strawberry

from auth.principal import Principal
from models.reports import Report
from schema.base.downloads import DownloadType, download_link
from schema.base.info import Info
from services.letters.answers import KIND, written_answer


@strawberry.type(
    name="WrittenAnswer",
    description="The result in writing (a PDF letter in Vietnamese), asked for with `requestWrittenAnswer`.",
)
class WrittenAnswerType:
    requested_at: datetime = strawberry.field(description="When you asked for it.")
    available: bool = strawberry.field(
        description="Whether the letter can be downloaded: once the report is decided (REJECTED, PENALIZED or "
        "RESOLVED)."
    )
    report_id: strawberry.Private[str]

    @strawberry.field(
        description="A fresh short-lived link to the PDF, for you only; null until `available`. Ask again for a new "
        "link once it expires."
    )
    def download(self, info: Info) -> DownloadType | None:
        return download_link(info, KIND, {"report": self.report_id}) if self.available else None

    @classmethod
    def of_report(cls, principal: Principal, report: Report) -> WrittenAnswerType | None:
        """What `principal` sees of a report's written answer: null unless they are its author and asked."""
        answer = written_answer(principal, report)
        if answer is None:
            return None
        return cls(requested_at=answer.requested_at, available=answer.available, report_id=str(report.id))
