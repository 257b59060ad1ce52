"""Answers back on the citizen's channel: queued with decisions (`queue`), sent by a pluggable notifier
(`dispatch`). Which notifier runs is chosen here, from settings."""

from __future__ import annotations

from core.settings import Settings
from services.notifications.base import DeliveryFailed, Notifier, OutgoingMessage
from services.notifications.dispatch import RetryPolicy
from services.notifications.outbox import DevNotificationOutbox
from services.notifications.zalo_oa import ZaloOaNotifier


def build_notifier(settings: Settings) -> Notifier | None:
    """None when NOTIFIER=disabled: notifications stay queued until a notifier is configured."""
    if settings.notifier == "zalo-oa":
        assert settings.zalo_oa_access_token is not None, "Settings.validate requires the token"
        return ZaloOaNotifier(settings.zalo_oa_api_url, settings.zalo_oa_access_token)
    if settings.notifier == "outbox":
        return DevNotificationOutbox(settings.var_dir / "dev-notifications.jsonl")
    return None


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.notification_max_attempts, base_seconds=settings.notification_retry_seconds
    )


__all__ = ["DeliveryFailed", "DevNotificationOutbox", "Notifier", "OutgoingMessage", "build_notifier", "retry_policy"]
