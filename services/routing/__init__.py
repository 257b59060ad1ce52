"""Routing: which agency receives a report and why, and the administration of the rules that decide it."""
