"""Dataloaders for everything a report points at. Scoped ones take `(principal, id)` keys, so the caller travels
with the key into the service, which applies the same visibility rule as every other read. Categories and wards come
from the process's reference cache (`services.reference.cache`), read from the database only when it lacks them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.decisions import Decision
from models.events import ReportEvent
from models.media import Media
from models.notifications import Notification
from models.reference import Category, Ward
from models.reports import Report
from models.users import User
from schema.base.info import Info
from schema.base.selection import selects
from services.notifications import views as notification_views
from services.reference.cache import reference_cache
from services.reports import batches as report_batches
from services.reports.batches import ScopedKey


class ReportByIdLoader(DataLoader[ScopedKey, Report | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=report_batches.reports_by_ids)


class MediaByReportLoader(DataLoader[ScopedKey, list[Media]]):
    def __init__(self) -> None:
        super().__init__(load_fn=report_batches.media_by_reports)


class DecisionsByReportLoader(DataLoader[ScopedKey, list[Decision]]):
    def __init__(self) -> None:
        super().__init__(load_fn=report_batches.decisions_by_reports)


class EventsByReportLoader(DataLoader[ScopedKey, list[ReportEvent]]):
    def __init__(self) -> None:
        super().__init__(load_fn=report_batches.events_by_reports)


class NotificationsByReportLoader(DataLoader[uuid.UUID, list[Notification]]):
    """Keys are checked by the resolver (staff of the handling agency, admins) before they are loaded."""

    def __init__(self) -> None:
        super().__init__(load_fn=notification_views.by_reports)


class UserByIdLoader(DataLoader[uuid.UUID, User | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=report_batches.users_by_ids)


class CategoryByCodeLoader(DataLoader[str, Category | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=reference_cache.categories_by_codes)


class WardByCodeLoader(DataLoader[str, Ward | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=reference_cache.wards_by_codes)


class ReportLoaders:
    """The report domain's loaders, one attribute of `Loaders`, so that the shared file grows by one line."""

    def __init__(self) -> None:
        self.report_by_id = ReportByIdLoader()
        self.media_by_report = MediaByReportLoader()
        self.decisions_by_report = DecisionsByReportLoader()
        self.events_by_report = EventsByReportLoader()
        self.user_by_id = UserByIdLoader()
        self.category_by_code = CategoryByCodeLoader()
        self.ward_by_code = WardByCodeLoader()
        self.notifications_by_report = NotificationsByReportLoader()


class PageRelations:
    """A page's photos and decisions, each read with the page when the operation selects it (one statement each, as
    `MediaByReportLoader` and `DecisionsByReportLoader` would, for the reports the caller's page holds), but before
    the page's fields resolve, so that `media` and `decisions` are plain lists instead of a coroutine and a loader call
    per report. What the operation does not select stays None and, if asked all the same, goes through the loader."""

    def __init__(
        self, media: dict[uuid.UUID, list[Media]] | None, decisions: dict[uuid.UUID, list[Decision]] | None
    ) -> None:
        self.media = media
        self.decisions = decisions

    @classmethod
    async def read(cls, info: Info, reports: Sequence[Report]) -> PageRelations | None:
        if not reports:
            return None
        ids = [report.id for report in reports]
        media = decisions = None
        if selects(info, "edges", "node", "media"):
            media = dict(zip(ids, await report_batches.media_of_page(reports), strict=True))
        if selects(info, "edges", "node", "decisions"):
            decisions = dict(zip(ids, await report_batches.decisions_of_page(reports), strict=True))
        return cls(media, decisions)
