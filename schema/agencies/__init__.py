"""Agencies that receive and decide reports, and what their heads see of them."""
