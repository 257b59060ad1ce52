"""The demo city: 16,000 reports telling the published story, written the way the services would have written them."""
