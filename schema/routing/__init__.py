"""Routing: the rules that send reports to agencies, and the preview of where one would go."""
