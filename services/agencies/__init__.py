"""Agencies: their administration, the reads of them, and what their heads see of them."""
