"""Every String and ID a client can send, as an argument or a field of an input, declares its bound
(`schema.base.bounds`) and states it in its description, so that what `schema.graphql` tells the frontends is what the
input boundary enforces."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLType,
    get_named_type,
)

from schema import schema
from schema.base.boundary import TEXT_SCALARS, declared_bound


def text_inputs() -> Iterator[tuple[str, GraphQLArgument | GraphQLInputField]]:
    """Each argument and input field of the contract whose values are (lists of) String or ID."""
    for type_ in schema._schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        declarations: list[tuple[str, GraphQLArgument | GraphQLInputField]] = []
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            declarations = [
                (f"{type_.name}.{field_name}({name})", argument)
                for field_name, field in type_.fields.items()
                for name, argument in field.args.items()
            ]
        elif isinstance(type_, GraphQLInputObjectType):
            declarations = [(f"{type_.name}.{name}", field) for name, field in type_.fields.items()]
        yield from ((where, d) for where, d in declarations if get_named_type(d.type).name in TEXT_SCALARS)


def is_list(type_: GraphQLType) -> bool:
    return isinstance(type_.of_type if isinstance(type_, GraphQLNonNull) else type_, GraphQLList)


def test_there_are_text_inputs_to_check() -> None:
    assert len(list(text_inputs())) > 50


def test_every_string_and_id_declares_its_bound() -> None:
    assert not [where for where, declaration in text_inputs() if declared_bound(declaration) is None]


def test_lists_declare_how_many_items_and_single_values_do_not() -> None:
    wrong = [
        where
        for where, declaration in text_inputs()
        if (bound := declared_bound(declaration)) is not None
        and is_list(declaration.type) != (bound.max_items is not None)
    ]
    assert not wrong


def test_every_description_states_the_bound() -> None:
    unstated = [
        where
        for where, declaration in text_inputs()
        if (bound := declared_bound(declaration)) is not None
        and bound.sentence() not in (declaration.description or "")
    ]
    assert not unstated
