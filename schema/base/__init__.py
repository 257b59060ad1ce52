"""What every domain of the schema shares: scalars, error mapping, pagination, loaders, the Info type."""
