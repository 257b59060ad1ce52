"""What every layer may use and that uses nothing of ours: settings, the error vocabulary, the request id, id parsing
and the clock. Nothing here imports `api`, `schema`, `services`, `auth` or `models`."""
