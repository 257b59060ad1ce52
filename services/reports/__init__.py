"""Reports: submission and its checks, the workflow's state machine, who sees which report and which of its fields,
lists and the batches behind the dataloaders, timelines, and the live streams of new and changed reports."""
