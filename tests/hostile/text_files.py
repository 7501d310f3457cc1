"""Hostile CSV, JSON and JSON Lines files: deep nesting, giant cells, too many columns or rows, broken quotes, line
endings mixed in one file, binary bytes, broken encodings, numbers of a billion digits; and odd files that must
still import exactly (mixed line endings, old Mac line ends, multi-line addresses)."""

import json
from pathlib import Path

from .corpus import HostileFile

HEADER = "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number"
NESTING = 100_000
CELL = "IMPORT_MAX_CELL_CHARS"
COLUMNS = "IMPORT_MAX_COLUMNS"
NESTED = "levels deep"
OPEN_QUOTE = "check for a quote that is opened but never closed"


def customer(number: int, first_name: str = "Ann") -> str:
    """A valid customer row of its own (email and meter differ from every other number's)."""
    return (
        f"{first_name},Lee,ann{number}@example.com,555-555-{number % 10_000:04d},{number} Main St,Springfield,IL,"
        f"62701,MTR-{number:06d}"
    )


def customer_record(number: int, **values) -> dict:
    return {**dict(zip(HEADER.split(","), customer(number).split(","), strict=True)), **values}


def write_lines(path: Path, lines, end: str = "\n") -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for line in lines:
            handle.write(line + end)


def csv_of(rows: int, *, end: str = "\n"):
    def make(path: Path) -> None:
        write_lines(path, [HEADER, *(customer(number) for number in range(1, rows + 1))], end)

    return make


def nested_json(opening: str, closing: str, *, lines: bool):
    """A record whose first_name holds a value nested NESTING levels deep (about 200 KB of brackets)."""

    def make(path: Path) -> None:
        value = opening * NESTING + closing * NESTING
        record = '{"first_name": ' + value + "}"
        path.write_text(record + "\n" if lines else "[" + record + "]")

    return make


def nested_objects(*, lines: bool):
    def make(path: Path) -> None:
        value = '{"a": ' * NESTING + "1" + "}" * NESTING
        record = '{"first_name": ' + value + "}"
        path.write_text(record + "\n" if lines else "[" + record + "]")

    return make


def json_records(records, *, lines: bool = False):
    def make(path: Path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            if lines:
                for record in records():
                    handle.write(json.dumps(record) + "\n")
                return
            handle.write("[")
            for number, record in enumerate(records()):
                handle.write(("," if number else "") + json.dumps(record))
            handle.write("]")

    return make


def raw(content: bytes):
    def make(path: Path) -> None:
        path.write_bytes(content)

    return make


def mixed_line_endings(path: Path) -> None:
    """Rows ending in LF, CRLF and a lone CR, in turn, as a file pieced together on several machines has them."""
    ends = ["\n", "\r\n", "\r"]
    text = HEADER + "\r\n" + "".join(customer(n) + ends[n % 3] for n in range(1, 301))
    path.write_bytes(text.encode())


def multi_line_addresses(path: Path) -> None:
    """Quoted service addresses of two to five lines, as an address book exports them."""
    rows = [HEADER]
    for number in range(1, 101):
        cells = customer(number).split(",")
        cells[4] = '"' + "\n".join(f"{number} Main St" if part == 0 else f"Line {part}" for part in
                                   range(2 + number % 4)) + '"'
        rows.append(",".join(cells))
    write_lines(path, rows)


def unmatched_quote_near_the_end(path: Path) -> None:
    """A stray quote opens a value in row 195 of 200 and nothing closes it: it would swallow the last rows."""
    rows = [HEADER, *(customer(n) for n in range(1, 201))]
    rows[195] = '"' + rows[195]
    write_lines(path, rows)


def unmatched_quote_swallowing_the_file(path: Path) -> None:
    """A stray quote in row 5 of 5,000, with quoted values nowhere after it: everything below is one cell."""
    rows = [HEADER, *(customer(n) for n in range(1, 5_001))]
    rows[5] = rows[5].replace("Lee", '"Lee', 1)
    write_lines(path, rows)


def quoted_value_of_many_lines(path: Path) -> None:
    """A quoted note of 400 short lines: within the cell limit, but more line breaks than a cell holds."""
    note = '"' + "\n".join("x" for _ in range(400)) + '"'
    write_lines(path, [HEADER + ",notes", customer(1) + "," + note, customer(2) + ",ok"])


def nul_bytes_far_down(path: Path) -> None:
    """Text for the first 100 KB (past what encoding detection samples), then a row with NUL bytes."""
    rows = [HEADER, *(customer(n) for n in range(1, 1_200))]
    rows.append(customer(1_200, first_name="A\0\0\0nn"))
    write_lines(path, rows)


def invalid_utf8_in_the_middle(path: Path) -> None:
    """UTF-8 text with accents, and one byte in the middle that no UTF-8 text holds."""
    rows = [HEADER, *(customer(n, first_name="José") for n in range(1, 2_001))]
    text = "\n".join(rows).encode()
    middle = text.index(b"\n", len(text) // 2) + 1
    path.write_bytes(text[:middle] + b"Ann\xff" + text[middle + 3:] + b"\n")


def windows_1252_byte_in_ascii(path: Path) -> None:
    """ASCII text with one accented letter saved as Windows-1252 (not UTF-8) in the middle: a legitimate file."""
    rows = [HEADER, *(customer(n) for n in range(1, 2_001))]
    rows[1_000] = rows[1_000].replace("Ann", "Ren\xe9e", 1)
    path.write_bytes("\n".join(rows).encode("cp1252") + b"\n")


def columns(count: int):
    """A header (and one row) of `count` short columns: 20,000 of them make 289 KB."""

    def make(path: Path) -> None:
        write_lines(path, [",".join(f"column_{n:05d}" for n in range(count)), ",".join("x" for _ in range(count))])

    return make


def wide_row_far_down(path: Path) -> None:
    rows = [HEADER, *(customer(n) for n in range(1, 501))]
    rows[400] += "," * 2_000
    write_lines(path, rows)


def unquoted_field(size: int):
    def make(path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(HEADER + "\n" + customer(1) + "\n")
            handle.write("Ann,Lee,ann2@example.com,555-555-0002,")
            handle.write("A" * size)
            handle.write(",Springfield,IL,62701,MTR-000002\n")

    return make


def quoted_field(size: int):
    def make(path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(HEADER + "\n" + 'Ann,Lee,ann2@example.com,555-555-0002,"')
            handle.write("A, " * (size // 3))
            handle.write('",Springfield,IL,62701,MTR-000002\n')

    return make


def one_line_without_line_ends(path: Path) -> None:
    """20 MB on one line with no delimiter and no line end: no reader may hold it whole to split it."""
    with open(path, "wb") as handle:
        handle.write(HEADER.encode() + b"\n")
        for _ in range(20):
            handle.write(b"B" * (1 << 20))


def blank_lines_before_the_header(path: Path) -> None:
    """Two million empty lines, then a normal file: blank rows are skipped, in bounded time."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\n" * 2_000_000)
        handle.write("\n".join([HEADER, *(customer(n) for n in range(1, 11))]) + "\n")


def rows_over_the_limit(path: Path) -> None:
    """1,000,001 data rows (the default IMPORT_MAX_ROWS is 1,000,000), each a short row of every required column."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\n")
        row = "A,B,C,D,E,F,G,H,I\n"
        for _ in range(1_000_001 // 1000):
            handle.write(row * 1000)
        handle.write(row)


def json_lines_over_the_row_limit(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        line = '{"a":1}\n'
        for _ in range(1_000_001 // 1000):
            handle.write(line * 1000)
        handle.write(line)


def distinct_keys(count: int, *, lines: bool = False):
    """`count` tiny records, each with a key of its own: the header (the union of keys) grows with every one."""

    def make(path: Path) -> None:
        records = [f'{{"k{number}":1}}' for number in range(count)]
        path.write_text("".join(record + "\n" for record in records) if lines else "[" + ",".join(records) + "]")

    return make


def huge_number(digits: int, *, lines: bool = False):
    def make(path: Path) -> None:
        record = b'{"first_name": ' + b"7" * digits + b"}"
        path.write_bytes(record + b"\n" if lines else b"[" + record + b"]")

    return make


def huge_exponent(*, lines: bool = False):
    """Eleven bytes whose digits, written out, would be a billion characters long."""

    def make(path: Path) -> None:
        record = b'{"first_name": "Ann", "postal_code": 1e999999999}'
        path.write_bytes(record + b"\n" if lines else b"[" + record + b"]")

    return make


def long_list_in_a_cell(path: Path) -> None:
    """A flat list of two million numbers in one field: shallow, but its JSON text is far over the cell limit."""
    path.write_text('[{"first_name": [' + ",".join(["1"] * 2_000_000) + "]}]")


FILES = [
    # Deep nesting: refused at the fifth level, after a few bytes, on every path.
    HostileFile("nested_arrays.json", nested_json("[", "]", lines=False), NESTED),
    HostileFile("nested_arrays.jsonl", nested_json("[", "]", lines=True), NESTED),
    HostileFile("nested_objects.json", nested_objects(lines=False), NESTED),
    HostileFile("nested_objects.jsonl", nested_objects(lines=True), NESTED),
    # JSON cells, keys and rows.
    HostileFile("long_string.json", json_records(lambda: [customer_record(1, first_name="x" * 40_000)]), CELL),
    HostileFile("long_string.jsonl", json_records(lambda: [customer_record(1, notes="x" * 40_000)], lines=True), CELL),
    HostileFile("long_list_in_a_cell.json", long_list_in_a_cell, CELL),
    HostileFile("huge_number.json", huge_number(10_000_000), "too long to read"),
    HostileFile("huge_number.jsonl", huge_number(10_000_000, lines=True), "too long to read"),
    HostileFile("huge_exponent.json", huge_exponent(), CELL),
    HostileFile("huge_exponent.jsonl", huge_exponent(lines=True), CELL),
    HostileFile("keys_5000.json", json_records(lambda: [{f"key{n}": n for n in range(5_000)}]), COLUMNS),
    HostileFile("distinct_keys_1m.json", distinct_keys(1_000_000), COLUMNS),
    HostileFile("distinct_keys_1m.jsonl", distinct_keys(1_000_000, lines=True), COLUMNS),
    HostileFile("rows_over_limit.jsonl", json_lines_over_the_row_limit, "IMPORT_MAX_ROWS"),
    HostileFile("nul_in_string.json", json_records(lambda: [customer_record(1, first_name="A\0nn")]), "NUL"),
    HostileFile(
        "many_line_breaks.json", json_records(lambda: [customer_record(1, notes="x\n" * 400)]), "line breaks"
    ),
    HostileFile("records.json", json_records(lambda: [customer_record(n) for n in range(1, 51)]), "", rows=50),
    HostileFile(
        "records.jsonl", json_records(lambda: [customer_record(n) for n in range(1, 51)], lines=True), "", rows=50
    ),
    # CSV columns and cells.
    HostileFile("columns_20000.csv", columns(20_000), COLUMNS),
    HostileFile("wide_row_far_down.csv", wide_row_far_down, COLUMNS),
    HostileFile("unquoted_field_10mb.csv", unquoted_field(10 * 1024 * 1024), CELL),
    HostileFile("quoted_field_10mb.csv", quoted_field(10 * 1024 * 1024), CELL),
    HostileFile("one_line_20mb.csv", one_line_without_line_ends, "characters"),
    HostileFile("rows_over_limit.csv", rows_over_the_limit, "IMPORT_MAX_ROWS"),
    # Quotes.
    HostileFile("unmatched_quote_near_the_end.csv", unmatched_quote_near_the_end, "never closed"),
    HostileFile("unmatched_quote_swallowing_the_file.csv", unmatched_quote_swallowing_the_file, OPEN_QUOTE),
    HostileFile("quoted_value_of_400_lines.csv", quoted_value_of_many_lines, "line breaks"),
    HostileFile("multi_line_addresses.csv", multi_line_addresses, "", rows=100),
    # Line endings: read as a spreadsheet program reads them.
    HostileFile("mixed_line_endings.csv", mixed_line_endings, "", rows=300),
    HostileFile("lone_cr_line_endings.csv", csv_of(300, end="\r"), "", rows=300),
    HostileFile("blank_lines_before_the_header.csv", blank_lines_before_the_header, "", rows=10),
    # Bytes that are not text.
    HostileFile("nul_bytes_far_down.csv", nul_bytes_far_down, "NUL"),
    HostileFile("binary_junk.csv", raw(bytes(range(256)) * 4096), "binary data"),
    HostileFile("invalid_utf8_in_the_middle.csv", invalid_utf8_in_the_middle, "not UTF-8"),
    HostileFile("windows_1252_byte_in_ascii.csv", windows_1252_byte_in_ascii, "", rows=2_000),
]
