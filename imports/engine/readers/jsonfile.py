"""JSON: an array of objects, or JSON Lines (one object per line), read under the limits as it streams.

A record is flat: scalars, or short lists and shallow objects of scalars (kept as JSON text in their cell). An
array is parsed event by event (ijson) and each record built from the events with its depth counted, so a value
nested a hundred thousand levels deep is refused at its fifth level, after a few bytes, instead of being built.
A JSON Lines line is parsed whole by the json module only when it cannot nest deeper than the limit (it holds no
more brackets than that); otherwise it goes through the same event-by-event builder. Every record is then held to
the same rules: the cell length, the columns (the header is the union of every record's keys, counted as they
accumulate), the rows, no NUL characters, no more line breaks in a cell than a spreadsheet cell holds.
"""

import codecs
import io
import json
import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import ijson

from imports.declare.errors import ImportFileError
from imports.engine.readers.cells import cell_to_text
from imports.engine.readers.delimited_rows import MAX_LINES_IN_CELL
from imports.engine.readers.limits import JSON_MAX_DEPTH, ReadLimits

_CONTAINERS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")


class JsonSource:
    """Rows of a JSON file: the first row is the union of every object's keys, in order of first appearance.

    Objects do not all have to carry every key; the header needs one extra streaming pass to find them all, and
    that pass holds the whole file to the limits, so a file over one is refused before any row is used.
    """

    def __init__(self, path: Path, limits: ReadLimits | None = None):
        self.path = path
        self.limits = limits or ReadLimits.from_settings()
        with open(path, "rb") as handle:
            head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileError("JSON files must be UTF-8 encoded; this one is UTF-16.")
        self._offset = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        self._is_array = self._first_byte() == b"["
        keys: dict[str, None] = {}
        for count, (place, record) in enumerate(self._records(), start=1):
            if count > self.limits.max_rows:
                self.limits.check_rows(count)
            for key in record:
                if key not in keys:
                    keys[key] = None
                    if len(keys) > self.limits.max_columns:
                        raise ImportFileError(
                            f"{place} brings the file's distinct keys (its columns) to {len(keys):,}; the limit is "
                            f"{self.limits.max_columns:,} (IMPORT_MAX_COLUMNS)."
                        )
        self.columns = list(keys)

    def _first_byte(self) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            while (byte := handle.read(1)) and byte.isspace():
                pass
            return byte

    def _records(self) -> Iterator[tuple[str, dict]]:
        """(where the record is, for a refusal; the record), each held to the limits."""
        try:
            records = self._array_records() if self._is_array else self._line_records()
            for place, record in records:
                _check_record(record, place, self.limits)
                yield place, record
        except UnicodeDecodeError:
            raise ImportFileError("The JSON file is not valid UTF-8 text: save it as UTF-8.") from None

    def _array_records(self) -> Iterator[tuple[str, dict]]:
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            guarded = _NumberGuard(handle)
            events = ijson.basic_parse(guarded)
            position = complete = 0
            try:
                next(events)  # the array's start
                for event, _value in events:
                    if event == "end_array":
                        break
                    position += 1
                    place = f"Item {position:,} of the JSON array"
                    if event != "start_map":
                        raise ImportFileError(f"{place} is not an object with named fields.")
                    yield place, _built_record(events, place, self.limits)
                    complete = position
                for _trailing in events:
                    pass  # anything after the array is invalid JSON, which the parser says
            except UnicodeDecodeError:
                raise
            except ijson.JSONError as error:
                if guarded.refused:  # found while reading ahead: at this item or one of the next few
                    raise _number_too_long(f"The JSON array, at or after item {max(position, 1):,},") from None
                raise ImportFileError(
                    f"The JSON file is not valid after item {complete:,}: {_first_line(error)}."
                ) from None

    def _line_records(self) -> Iterator[tuple[str, dict]]:
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                place = f"Line {line_number:,} of the JSON Lines file"
                item = _line_value(line, place, self.limits)
                if not isinstance(item, dict):
                    raise ImportFileError(f"{place} is not an object with named fields.")
                yield place, item

    def rows(self) -> Iterator[list[str]]:
        yield list(self.columns)
        for _place, record in self._records():
            yield [cell_to_text(record.get(column)) for column in self.columns]

    def close(self) -> None:
        """Nothing stays open between reads."""


def _line_value(line: bytes, place: str, limits: ReadLimits):
    """One JSON Lines line's value; the json module parses it when its brackets cannot nest past the limit."""
    guarded = None
    try:
        if line.count(b"[") + line.count(b"{") <= JSON_MAX_DEPTH:
            return json.loads(line, parse_float=Decimal)  # numbers as the array's parser gives them
        guarded = _NumberGuard(io.BytesIO(line))
        events = ijson.basic_parse(guarded)
        event, _value = next(events)
        if event != "start_map":
            return None  # not an object; said by the caller
        record = _built_record(events, place, limits)
        for _trailing in events:
            pass
        return record
    except UnicodeDecodeError:
        raise
    except (json.JSONDecodeError, ijson.JSONError) as error:
        if guarded is not None and guarded.refused:
            raise _number_too_long(place) from None
        raise ImportFileError(f"{place} is not valid JSON: {_first_line(error)}.") from None
    except ValueError:  # the json module refuses to convert an integer of more digits than Python allows
        raise _number_too_long(place) from None


def _built_record(events, place: str, limits: ReadLimits) -> dict:
    """The object whose start_map event was just read, built from the events that follow, refused as soon as it
    nests deeper than JSON_MAX_DEPTH (the record is level 1) or one of its cells outgrows the cell limit."""
    record: dict = {}
    containers: list = [record]
    keys: list = [None]  # the key awaiting its value, for each object being built
    cell_chars = 0  # a lower bound on the length of the cell being built (its JSON text)
    for event, value in events:
        if event == "map_key":
            keys[-1] = value
            if len(containers) == 1:
                cell_chars = 0
                if len(value) > limits.max_cell_chars:
                    limits.check_cell(len(value), where=place)
                if len(record) >= limits.max_columns and value not in record:
                    limits.check_columns(len(record) + 1, where=place)
            else:
                cell_chars += len(value) + 2
            continue
        if event in _ENDS:
            containers.pop()
            keys.pop()
            if not containers:
                return record
            continue
        if event in _CONTAINERS:
            if len(containers) >= JSON_MAX_DEPTH:
                raise ImportFileError(
                    f"{place} nests values more than {JSON_MAX_DEPTH} levels deep: a record holds values, or short "
                    "lists and objects of values, one per column."
                )
            value = {} if event == "start_map" else []
            cell_chars += 2
        else:
            cell_chars += _text_chars(value) + 2
        if cell_chars > limits.max_cell_chars:
            limits.check_cell(cell_chars, where=place)
        parent = containers[-1]
        if isinstance(parent, dict):
            parent[keys[-1]] = value
        else:
            parent.append(value)
        if event in _CONTAINERS:
            containers.append(value)
            keys.append(None)
    raise ImportFileError(f"{place} ends before its object is closed.")


def _check_record(record: dict, place: str, limits: ReadLimits) -> None:
    """Hold one record's cells to the limits, before its cells are written anywhere."""
    if len(record) > limits.max_columns:
        limits.check_columns(len(record), where=place)
    for key, value in record.items():
        for text in (key, value):
            if not isinstance(text, str):
                chars = _text_chars(text)
                if chars > limits.max_cell_chars:
                    limits.check_cell(chars, where=place)
                text = cell_to_text(text)
            if len(text) > limits.max_cell_chars:
                limits.check_cell(len(text), where=place)
            if "\0" in text:
                raise ImportFileError(f"{place} holds a NUL character, which no text field can store.")
            line_breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
            if line_breaks > MAX_LINES_IN_CELL - 1:
                raise ImportFileError(
                    f"{place} has a value of {line_breaks:,} line breaks; a spreadsheet cell holds at most "
                    f"{MAX_LINES_IN_CELL - 1}."
                )


def _text_chars(value) -> int:
    """How long a value's text is, at least, found without writing it out (1E+999999999 has a billion digits)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Decimal) and value.is_finite():
        _sign, digits, exponent = value.as_tuple()
        return len(digits) + exponent if exponent >= 0 else max(len(digits), -exponent)
    if isinstance(value, (list, dict)):
        return 2 + sum(_text_chars(item) + 2 for item in (value.values() if isinstance(value, dict) else value))
    return len(str(value))


class _NumberGuard:
    """A file's bytes for ijson, cut off at the first integer of more digits than Python converts: ijson's C
    parser crashes the whole process on one (ijson 3.6). The cut makes the parser stop on a premature end, and
    `refused` tells the reader why. A run of digits inside a string is cut off too: no field holds one that long."""

    def __init__(self, handle):
        self.handle = handle
        self.refused = False
        self._tail = b""  # the digits the last block ended in, which the next block may continue
        digits = sys.get_int_max_str_digits() or 4300
        # The lookbehind lets a match start only where a run of digits starts, so each run is scanned once.
        self._too_long = re.compile(rb"(?<![0-9])[0-9]{%d}" % (digits + 1))

    def read(self, size: int = -1) -> bytes:
        if self.refused:
            return b""
        block = self.handle.read(size)
        seen = self._tail + block
        if self._too_long.search(seen):
            self.refused = True
            return b""
        trailing = len(seen) - len(seen.rstrip(b"0123456789"))
        self._tail = seen[len(seen) - trailing :] if trailing else b""
        return block


def _number_too_long(place: str) -> ImportFileError:
    return ImportFileError(
        f"{place} holds a number of more than {sys.get_int_max_str_digits():,} digits, too long to read as a number."
    )


def _first_line(error: Exception) -> str:
    """The parser's message without the excerpt of the file it draws under it."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
