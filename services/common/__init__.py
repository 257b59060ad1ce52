"""What every domain of the services shares and no domain owns: keyset pagination and the SQL dialect."""
