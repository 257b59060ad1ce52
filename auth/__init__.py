"""Who is calling: access tokens, passwords, phone numbers, sign-in providers. Knows nothing of GraphQL."""
