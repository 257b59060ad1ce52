"""Photo and video evidence."""
