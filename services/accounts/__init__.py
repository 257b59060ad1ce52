"""Accounts: signing in by Zalo, phone code or password, sessions, staff accounts and who manages them, and joining
two citizen accounts that turned out to be one person (and an administrator splitting them again)."""
