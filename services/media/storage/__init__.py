"""Where evidence bytes live: one interface (`base.Storage`), an S3 and a local-disk implementation."""

from services.media.storage.base import PresignedPost, Storage, StorageUnavailable

__all__ = ["PresignedPost", "Storage", "StorageUnavailable"]
