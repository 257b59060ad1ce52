"""What each benchmark measures the API against: the same answer served by the plainest code that could serve it."""
