"""The chain of custody of evidence (Decree 61/2026): hash-chained entries, signed receipts, and their verifier."""
