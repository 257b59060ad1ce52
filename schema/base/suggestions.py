"""Request errors without graphql-core's "Did you mean ...?" hints, where introspection is off.

"Cannot query field 'reporterPhone' on type 'Report'. Did you mean 'reporter'?" spells out, one guess at a time, the
schema that turning introspection off keeps from strangers. The hint is always the end of a sentence made by
graphql-core's `did_you_mean` (suggested names never contain a question mark), in validation and variable errors
alike, so it is cut from every error message here.
"""

from __future__ import annotations

import re

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from schema.base.errors import rebuilt

SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def without_suggestion(error: GraphQLError) -> GraphQLError:
    message = SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return rebuilt(error, message, error.extensions, error.original_error)


class HideSuggestions(MaskErrors):
    """Reuses strawberry's error-masking hook points to cut the hints; list it after `ErrorCodes`."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [without_suggestion(error) for error in errors]
