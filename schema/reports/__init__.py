"""Reports: submission, reading, assignment."""
