"""What the tests share: talking to the endpoint, factories, servers, databases, fixture plugins."""
