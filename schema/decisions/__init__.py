"""What agencies decide about reports."""
