"""Statistics: who may count what, the figures aggregated by the database, and the rollup kept with every write."""
