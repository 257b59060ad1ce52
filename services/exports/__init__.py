"""Exports of what a console shows: the filtered report list and the statistics, as CSV or XLSX.

A mutation checks the caller and the filter, takes the export rate limit and hands out a signed link
(`services.downloads`); the ticket carries the filter, the format and the row cap. At download time the producer
(`reports.produce`, `statistics.produce`) reads the user as they are now, applies the same visibility and filter as
the `reports` list, and streams the file row by row: reports are read in keyset pages, each page written and let go
before the next is read, so memory stays the same whatever the size.
"""
