"""What every domain of the schema shares: scalars, enums, the error mapping, pagination."""
