"""The chain of custody as frontends read it: a report's signed receipt, and its verification for staff."""
