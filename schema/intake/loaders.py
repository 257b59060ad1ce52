"""The provider of a recorded report, scoped to the caller in the key, batched per request."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from services.intake import providers
from services.intake.providers import ProviderView
from services.reports.batches import ScopedKey


class ProviderByReportLoader(DataLoader[ScopedKey, ProviderView | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=providers.providers_by_keys)


class IntakeLoaders:
    """The intake domain's loaders, one attribute of `Loaders`."""

    def __init__(self) -> None:
        self.provider_by_report = ProviderByReportLoader()
