"""Exports: links to the report list and the statistics as CSV or XLSX (`services.exports`)."""
