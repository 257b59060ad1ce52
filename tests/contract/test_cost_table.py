"""The cost estimate's table (`schema.base.cost`) names every list of the contract, and its sizes hold the data."""

from __future__ import annotations

from collections import Counter

from graphql import GraphQLObjectType, get_named_type, is_leaf_type

from models.agencies import Agency
from models.reference import Category, Ward
from models.routing import RoutingRule
from schema import schema
from schema.base.cost import (
    AGENCY_CHILDREN,
    LIST_SIZES,
    ONE_TO_ONE,
    WEIGHTS,
    WHOLES,
    ByArgument,
    is_connection,
    is_list,
)


def our_object_types() -> list[GraphQLObjectType]:
    return [
        type_
        for name, type_ in schema._schema.type_map.items()
        if isinstance(type_, GraphQLObjectType) and not name.startswith("__")
    ]


def test_every_list_and_connection_has_a_size() -> None:
    """A new list of objects without a size would be costed at a guess: declare it in `LIST_SIZES`."""
    missing = [
        f"{type_.name}.{name}"
        for type_ in our_object_types()
        if not is_connection(type_)
        for name, field in type_.fields.items()
        if (is_list(field.type) and not is_leaf_type(get_named_type(field.type)))
        or is_connection(get_named_type(field.type))
        if (type_.name, name) not in LIST_SIZES
    ]
    assert not missing, missing


def test_the_table_names_only_fields_that_exist() -> None:
    fields = {(type_.name, name) for type_ in our_object_types() for name in type_.fields}
    for table in (LIST_SIZES, WEIGHTS, WHOLES, ONE_TO_ONE):
        assert set(table) <= fields, set(table) - fields


async def test_the_reference_data_fits_the_declared_sizes() -> None:
    assert await Ward.all().count() <= LIST_SIZES[("Query", "wards")]
    assert await Category.all().count() <= LIST_SIZES[("Query", "categories")]
    assert await RoutingRule.all().count() <= LIST_SIZES[("Query", "routingRules")]
    by_kind = LIST_SIZES[("Query", "agencies")]
    assert isinstance(by_kind, ByArgument)
    assert await Agency.all().count() <= min(by_kind.default, WHOLES[("Agency", "children")])
    for kind, size in by_kind.values.items():
        assert await Agency.filter(kind=kind).count() <= size, kind
    children = Counter(await Agency.filter(parent_id__isnull=False).values_list("parent_id", flat=True))
    assert max(children.values()) <= AGENCY_CHILDREN.maximum
    agencies = await Agency.all().prefetch_related("wards", "categories")
    for agency in agencies:
        assert len(agency.wards) <= LIST_SIZES[("Agency", "wards")]
        assert len(agency.categories) <= LIST_SIZES[("Agency", "categories")]
    assert sum(len(agency.wards) for agency in agencies) <= WHOLES[("Agency", "wards")]
    assert sum(len(agency.categories) for agency in agencies) <= WHOLES[("Agency", "categories")]
