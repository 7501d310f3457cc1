"""Reading import files: CSV (any common encoding and delimiter), XLSX, XLS and JSON, as one kind of table."""

from imports.engine.readers.sniffing import CSV, JSON, XLS, XLSX, detect_format
from imports.engine.readers.table import SourceRow, Table

__all__ = ["CSV", "JSON", "XLS", "XLSX", "SourceRow", "Table", "detect_format"]
