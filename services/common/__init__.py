"""What every domain of the services shares and no domain owns: who may do what by role (`policies`, the one home
of role rules), keyset pagination and the SQL dialect."""
