"""Reading from byte offsets gives exactly the csv module's rows, and offsets where each next row starts."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.declare.errors import ImportFileError
from imports.engine.readers.positioned import PositionedCsv
from imports.engine.readers.table import is_blank

# Well-formed CSV: a carriage return only as part of a line end (files ending lines with a lone CR are converted
# when staged; a stray CR inside an unquoted value is refused with a file error).
CELL = st.text(alphabet=st.sampled_from(list('ab ,;"\n\té\'')), max_size=8)
ROWS = st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=12)


def csv_text(rows, delimiter=",", line_end="\n"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


@settings(max_examples=400, deadline=None)
@given(rows=ROWS, delimiter=st.sampled_from([",", ";", "\t", "|"]), line_end=st.sampled_from(["\n", "\r\n"]))
def test_rows_equal_the_csv_modules_rows(tmp_path_factory, rows, delimiter, line_end):
    text = csv_text(rows, delimiter, line_end)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(text.encode("utf-8"))

    ours = [cells for cells, _offset in PositionedCsv(path, delimiter).rows()]

    assert ours == list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@settings(max_examples=200, deadline=None)
@given(rows=ROWS)
def test_reading_from_any_rows_offset_continues_exactly_there(tmp_path_factory, rows):
    text = csv_text(rows)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    reader = PositionedCsv(path, ",")
    everything = list(reader.rows())

    for position, (_cells, next_offset) in enumerate(everything):
        assert [cells for cells, _ in reader.rows(next_offset)] == [cells for cells, _ in everything[position + 1 :]]


def test_a_literal_quote_inside_an_unquoted_value_does_not_swallow_the_next_line(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'pipe,12" wide\nnext,row\n')

    assert [cells for cells, _ in PositionedCsv(path, ",").rows()] == [["pipe", '12" wide'], ["next", "row"]]


def test_a_quote_never_closed_is_a_file_error_not_a_memory_blowup(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,"never closed\n' + b"x" * 200_000 + b"\n")

    with pytest.raises(ImportFileError, match="quote that is opened but never closed"):
        list(PositionedCsv(path, ",").rows())


def test_a_lone_carriage_return_ends_a_row_as_in_a_spreadsheet(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\rc\n")

    assert list(PositionedCsv(path, ",").rows()) == [(["a", "b"], 4), (["c"], 6)]


def test_an_empty_line_is_an_empty_row_like_the_csv_modules(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n\nc,d\n")

    assert [cells for cells, _ in PositionedCsv(path, ",").rows()] == [["a", "b"], [], ["c", "d"]]


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet=st.sampled_from(list(' \t\x1c\x1f\xa0a,"\n')), max_size=4),
                              min_size=1, max_size=4), min_size=1, max_size=10))
def test_the_quick_pass_judges_blank_rows_and_row_ends_like_the_full_reader(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(csv_text(rows).encode("utf-8"))
    reader = PositionedCsv(path, ",")

    quick = list(reader.row_ends())

    assert quick == [(is_blank(cells), offset) for cells, offset in reader.rows()]


def chunk_starts_walked(reader: PositionedCsv, offset: int, every: int) -> tuple[int, list[tuple[int, int, int]]]:
    """The answer `chunk_starts` must give, found the slow way: row after row."""
    number, starts, position = 0, [], offset
    for raw, (blank, next_offset) in enumerate(reader.row_ends(offset)):
        if not blank:
            number += 1
            if (number - 1) % every == 0:
                starts.append((number, position, raw))
        position = next_offset
    return number, starts


# Whole lines, so blank lines (spaces, delimiters), quoted values across lines, non-ASCII text and CRLF all occur.
LINE = st.sampled_from([
    "a,b,c", "", "  ", ",,", " , ", "x", '"q\nr",s', '"only"', "é,ü", "1,2,3,4,5,6,7,8", "\t,\t",
    "\u00a0,\u2003", "\u00a0x", "\x1c,",
])


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(LINE, min_size=0, max_size=40),
    line_end=st.sampled_from(["\n", "\r\n"]),
    final_end=st.booleans(),
    every=st.sampled_from([1, 2, 3, 7]),
    block=st.sampled_from([8, 16, 33, 64, 1 << 20]),
    skip=st.integers(min_value=0, max_value=3),
)
def test_chunk_starts_equal_walking_every_row(tmp_path_factory, lines, line_end, final_end, every, block, skip):
    text = line_end.join(lines) + (line_end if final_end and lines else "")
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    reader = PositionedCsv(path, ",")
    offset = next((o for n, (_blank, o) in enumerate(reader.row_ends(0)) if n == skip - 1), 0) if skip else 0
    reader.block_bytes = block

    assert reader.chunk_starts(offset, every) == chunk_starts_walked(reader, offset, every)


def rows_with_line_ends(rows, ends) -> str:
    """CSV text whose rows end in the given line ends in turn: LF, CRLF and a lone CR mixed in one file."""
    return "".join(csv_text([row], ",", ends[index % len(ends)]) for index, row in enumerate(rows))


MIXED_ENDS = st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4)
# Cells with carriage returns and line feeds of their own, which the writer quotes.
CELL_WITH_BREAKS = st.text(alphabet=st.sampled_from(list('ab ,"\n\r')), max_size=6)


@settings(max_examples=400, deadline=None)
@given(rows=st.lists(st.lists(CELL_WITH_BREAKS, min_size=1, max_size=4), min_size=1, max_size=10), ends=MIXED_ENDS)
def test_mixed_line_endings_read_as_the_csv_module_reads_them_with_universal_newlines(tmp_path_factory, rows, ends):
    text = rows_with_line_ends(rows, ends)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(text.encode("utf-8"))
    reader = PositionedCsv(path, ",")

    ours = [cells for cells, _offset in reader.rows()]

    assert ours == list(csv.reader(io.StringIO(text, newline=""), delimiter=","))
    assert list(reader.row_ends()) == [(is_blank(cells), offset) for cells, offset in reader.rows()]


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=10), ends=MIXED_ENDS,
       encoding=st.sampled_from(["cp1252", "utf-16"]))
def test_the_decoding_reader_reads_other_encodings_as_the_csv_module_does(tmp_path_factory, rows, ends, encoding):
    from imports.engine.readers.delimited import DelimitedSource

    text = rows_with_line_ends(rows, ends)
    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(text.encode(encoding))
    source = DelimitedSource(path)
    source.encoding, source.delimiter = encoding, ","  # what detection would find is not the point here

    assert list(source.rows()) == list(csv.reader(io.StringIO(text, newline=""), delimiter=","))


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.sampled_from(["a,b", "a,b,c,d", "abcdefgh", "x", "", '"q\nr",s', "é" * 7]), max_size=30),
    block=st.sampled_from([8, 33, 1 << 20]),
)
def test_chunk_starts_refuses_what_walking_every_row_refuses(tmp_path_factory, lines, block):
    from imports.engine.readers.limits import ReadLimits

    path = tmp_path_factory.mktemp("csv") / "f.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    reader = PositionedCsv(path, ",", ReadLimits(max_columns=3, max_cell_chars=6))
    reader.block_bytes = block

    def outcome(count):
        try:
            return count()
        except ImportFileError as error:
            return str(error)

    assert outcome(lambda: reader.chunk_starts(0, 5)) == outcome(lambda: chunk_starts_walked(reader, 0, 5))


def test_data_rows_skip_blank_rows_and_number_on_from_the_row_before_the_offset(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"key,name\na,1\n\n , \nb,2\n,\nc,3\n")
    reader = PositionedCsv(path, ",")
    _header, after_header = next(reader.rows())
    _a, after_a = next(reader.rows(after_header))

    assert [(number, cells) for number, cells, _next in reader.data_rows(after_header, after=0)] == [
        (1, ["a", "1"]), (2, ["b", "2"]), (3, ["c", "3"]),
    ]
    walked = list(reader.data_rows(after_a, after=1))
    assert [(number, cells) for number, cells, _next in walked] == [(2, ["b", "2"]), (3, ["c", "3"])]
    assert [(number, cells) for number, cells, _next in reader.data_rows(walked[0][2], after=2)] == [(3, ["c", "3"])]


def test_sheet_rows_number_every_row_of_the_file_as_a_spreadsheet_does(tmp_path):
    # Given a title row, a blank row, the header, data with blank rows between, and a cell over two lines.
    path = tmp_path / "f.csv"
    path.write_bytes(b'Customers 2026\n\nkey,name\na,1\n\n , \n"b\nb",2\nc,3\n')
    reader = PositionedCsv(path, ",")
    rows = list(reader.rows())
    after_header = rows[2][1]

    # Then data row 1 is sheet row 4, and the blank rows and the header count as a spreadsheet counts them.
    assert [(number, sheet, cells[0]) for number, sheet, cells, _next in reader.sheet_rows(after_header, 0, 3)] == [
        (1, 4, "a"), (2, 7, "b\nb"), (3, 8, "c"),
    ]
    assert reader.rows_between(0, after_header) == 3
    assert reader.rows_between(after_header, rows[6][1]) == 4  # a, two blank rows, the two-line row
    assert reader.rows_between(after_header, after_header) == 0
