"""Numbers about the system itself, for `/metrics`: backlogs read from the database when scraped."""
