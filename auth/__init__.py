"""Who is calling and what they may do: tokens, passwords, sign-in providers, roles. Knows nothing of GraphQL."""
