"""Staff intake: reports that agency staff record for a provider who called the hotline, came in person or wrote by
post (`recording`), and what the handling agency reads of that provider (`providers`)."""
