"""The audit trail of administration: every change, who made it and when, written with the change itself."""
