from __future__ import annotations

import strawberry

from models.reference import Category, Ward
from schema.base.enums import CategoryKind, WardKind


@strawberry.type(name="Ward", description="One of Hanoi's wards and communes since the July 2025 reorganisation.")
class WardType:
    code: str = strawberry.field(description="Official five-digit administrative code.")
    name: str = strawberry.field(description="Official Vietnamese name, e.g. «Phường Hoàn Kiếm».")
    kind: WardKind = strawberry.field(description="Ward or commune.")
    latitude: float = strawberry.field(description="Latitude of its centre (WGS 84).")
    longitude: float = strawberry.field(description="Longitude of its centre (WGS 84).")

    @classmethod
    def from_model(cls, ward: Ward) -> WardType:
        return cls(code=ward.code, name=ward.name, kind=ward.kind, latitude=ward.latitude, longitude=ward.longitude)


@strawberry.type(name="Category", description="What a report is about: a kind of violation or of road fault.")
class CategoryType:
    code: str = strawberry.field(description="Stable code, e.g. RED_LIGHT; what `submitReport` takes.")
    name: str = strawberry.field(description="Vietnamese name shown to citizens.")
    kind: CategoryKind = strawberry.field(description="Violation or infrastructure fault.")
    legal_reference: str = strawberry.field(description="The legal text that applies (violations), or empty.")
    service_level_hours: int = strawberry.field(description="Hours allowed from submission to a first decision.")
    active: bool = strawberry.field(description="Inactive categories are kept for old reports but not offered.")

    @classmethod
    def from_model(cls, category: Category) -> CategoryType:
        return cls(
            code=category.code,
            name=category.name,
            kind=category.kind,
            legal_reference=category.legal_reference,
            service_level_hours=category.service_level_hours,
            active=category.active,
        )
