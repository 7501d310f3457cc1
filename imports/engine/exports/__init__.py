"""Exports: a company's records queried, filtered and written to a file (CSV, Excel, JSON, PDF), streamed so
memory stays flat whatever the number of rows.

    spec (target, columns, filters, format)  ->  rows (a server-side cursor)  ->  a writer  ->  the file
"""
