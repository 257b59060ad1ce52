"""Answers back on the citizen's channel: queued with decisions (`queue`), sent by a pluggable notifier (`dispatch`):
the Zalo OA API (`zalo_oa`) or, in development, a local file (`outbox`). `api.notifications` picks one."""
