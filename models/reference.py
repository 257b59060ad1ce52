"""Reference data: Hanoi's wards and communes, and the categories a report can have.

Both are keyed by their stable public code, so foreign keys to them carry the code itself and statistics can group
by it without a join.
"""

from tortoise import fields
from tortoise.models import Model

from models.enums import CategoryKind, WardKind


class Ward(Model):
    code = fields.CharField(max_length=5, primary_key=True)
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(WardKind, max_length=10)
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    area_km2 = fields.FloatField()

    class Meta:
        table = "ward"
        ordering = ("code",)


class Category(Model):
    code = fields.CharField(max_length=40, primary_key=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(CategoryKind, max_length=20, db_index=True)
    description = fields.TextField(default="")
    legal_reference = fields.CharField(max_length=200, default="")
    service_level_hours = fields.IntField(default=72)
    active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "category"
        ordering = ("sort_order", "code")
