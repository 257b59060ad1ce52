"""Agencies that receive and decide reports."""
