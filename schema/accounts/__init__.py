"""Accounts: sign-in, sessions, the signed-in user, and staff accounts."""
