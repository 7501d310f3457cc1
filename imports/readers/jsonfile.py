"""JSON: an array of objects, or JSON Lines (one object per line), parsed incrementally by ijson."""

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

import ijson

from imports.errors import ImportFileError

from .cells import cell_to_text


class JsonSource:
    """Rows of a JSON file: the first row is the union of every object's keys, in order of first appearance.

    Objects do not all have to carry every key; the header needs one extra streaming pass to find them all.
    """

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as handle:
            head = handle.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise ImportFileError("JSON files must be UTF-8 encoded; this one is UTF-16.")
        self._offset = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
        self._is_array = self._first_byte() == b"["
        keys: dict[str, None] = {}
        for record in self._records():
            keys.update(dict.fromkeys(record))
        self.columns = list(keys)

    def _first_byte(self) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            while (byte := handle.read(1)) and byte.isspace():
                pass
            return byte

    def _records(self) -> Iterator[dict]:
        try:
            if self._is_array:
                yield from self._array_records()
            else:
                yield from self._line_records()
        except UnicodeDecodeError:
            raise ImportFileError("The JSON file is not valid UTF-8 text: save it as UTF-8.") from None

    def _array_records(self) -> Iterator[dict]:
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            position = 0
            try:
                for position, item in enumerate(ijson.items(handle, "item"), start=1):
                    if not isinstance(item, dict):
                        raise ImportFileError(f"Item {position} of the JSON array is not an object with named fields.")
                    yield item
            except ijson.JSONError as error:
                raise ImportFileError(f"The JSON file is not valid after item {position}: {error}.") from None

    def _line_records(self) -> Iterator[dict]:
        with open(self.path, encoding="utf-8") as handle:
            handle.seek(self._offset)
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ImportFileError(
                        f"Line {line_number} of the JSON Lines file is not valid JSON: {error}."
                    ) from None
                if not isinstance(item, dict):
                    raise ImportFileError(
                        f"Line {line_number} of the JSON Lines file is not an object with named fields."
                    )
                yield item

    def rows(self) -> Iterator[list[str]]:
        yield list(self.columns)
        for record in self._records():
            yield [cell_to_text(record.get(column)) for column in self.columns]

    def close(self) -> None:
        """Nothing stays open between reads."""
