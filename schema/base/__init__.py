"""What every domain of the schema shares and that imports none of them: scalars, enums, the error mapping,
permissions, the typed `Info`, pagination."""
