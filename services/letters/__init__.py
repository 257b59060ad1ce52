"""Written answers: the result of a report as a PDF letter its author may ask for (Decree 61/2026/NĐ-CP)."""
