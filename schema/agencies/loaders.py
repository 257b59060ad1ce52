"""Agencies that receive and decide reports, and what hangs off them. Scoped loaders take `(principal, agencyId)`
keys: the batch function decides per key whether the caller may see it, and answers FORBIDDEN for that key alone."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from models.agencies import Agency
from models.reference import Category, Ward
from models.users import User
from services.agencies import queries as agency_queries
from services.agencies import views as agency_views
from services.agencies.views import ScopedAgencyKey, Workload


class AgencyByIdLoader(DataLoader[uuid.UUID, Agency | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=agency_queries.agencies_by_ids)


class ChildrenByAgencyLoader(DataLoader[uuid.UUID, list[Agency]]):
    def __init__(self) -> None:
        super().__init__(load_fn=agency_views.children_by_agencies)


class WardsByAgencyLoader(DataLoader[uuid.UUID, list[Ward]]):
    def __init__(self) -> None:
        super().__init__(load_fn=agency_views.wards_by_agencies)


class CategoriesByAgencyLoader(DataLoader[uuid.UUID, list[Category]]):
    def __init__(self) -> None:
        super().__init__(load_fn=agency_views.categories_by_agencies)


class StaffByAgencyLoader(DataLoader[ScopedAgencyKey, list[User]]):
    def __init__(self) -> None:
        super().__init__(load_fn=agency_views.staff_by_agencies)


class WorkloadByAgencyLoader(DataLoader[ScopedAgencyKey, Workload]):
    def __init__(self) -> None:
        super().__init__(load_fn=agency_views.workloads_by_agencies)


class AgencyLoaders:
    """The agency domain's loaders beyond `agency_by_id`, one attribute of `Loaders`."""

    def __init__(self) -> None:
        self.children = ChildrenByAgencyLoader()
        self.wards = WardsByAgencyLoader()
        self.categories = CategoriesByAgencyLoader()
        self.staff = StaffByAgencyLoader()
        self.workload = WorkloadByAgencyLoader()
