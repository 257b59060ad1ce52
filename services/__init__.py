"""Domain logic that is not GraphQL: plain async functions over the models, called by resolvers, the CLI and tests."""
