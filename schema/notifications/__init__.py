"""What citizens were told about their reports on Zalo, as the staff of the handling agency see it (issue 19)."""
