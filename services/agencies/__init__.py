"""Agencies: their administration, what their heads see of them, and the policies (the one home of role rules)."""
