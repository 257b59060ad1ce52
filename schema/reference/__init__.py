"""Wards, communes and report categories."""
