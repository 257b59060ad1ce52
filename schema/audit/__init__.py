"""The audit trail of administration."""
