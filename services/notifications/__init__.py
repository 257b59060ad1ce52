"""Answers back on the citizen's channel: queued with decisions and transfers (`queue`, in texts Zalo takes:
`messages`), through the Zalo OA that may reach the citizen (`routing`), sent by a pluggable notifier (`dispatch`):
the Zalo OA API (`zalo_oa`, with each OA's tokens refreshed once across workers: `tokens`) or, in development, a local
file (`outbox`). `api.notifications` picks one; staff read them through `views`."""
