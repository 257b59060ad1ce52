"""Staff intake: `recordReport`, and the provider of a recorded report as the handling agency reads it."""
