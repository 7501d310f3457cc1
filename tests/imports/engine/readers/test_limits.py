"""Each read limit, in each reader: refused as the file streams, with one sentence naming the limit and its setting
(and the row and line, or the item, where it was found); a file within the limits reads as before."""

from pathlib import Path

import pytest
from django.core.files import File

from imports.declare.errors import ImportFileError
from imports.engine.readers.delimited import DelimitedSource
from imports.engine.readers.jsonfile import JsonSource
from imports.engine.readers.limits import ReadLimits, check_file_size, file_size_refusal
from imports.engine.readers.positioned import PositionedCsv
from imports.web.uploads import upload_create

SMALL = ReadLimits(max_rows=5, max_columns=4, max_cell_chars=10)


def positioned(path: Path) -> list[list[str]]:
    """The import's reader of UTF-8 files (the wizard's too)."""
    return [cells for cells, _offset in PositionedCsv(path, ",", SMALL).rows()]


def counted(path: Path) -> int:
    """The import's quick pass over the file (the one that cuts it into chunks)."""
    return PositionedCsv(path, ",", SMALL).chunk_starts(0, 1_000)[0]


def decoded(path: Path) -> list[list[str]]:
    """The reader of files in other encodings, which staging converts with."""
    source = DelimitedSource(path, SMALL)
    assert source.encoding == "cp1252"
    return list(source.rows())


CSV_READERS = [positioned, counted, decoded]


@pytest.fixture(params=CSV_READERS, ids=lambda reader: reader.__name__)
def read_csv(request, tmp_path):
    """Read CSV text with one of the readers; the decoding reader gets it as Windows-1252."""

    def read(text: str):
        path = tmp_path / "f.csv"
        if request.param is decoded:
            path.write_bytes(("é\n" + text).encode("cp1252"))  # one row more, so rows and lines shift by one
        else:
            path.write_bytes(("x\n" + text).encode("utf-8"))
        return request.param(path)

    return read


def test_a_row_with_too_many_columns_is_refused_with_its_row_line_and_setting(read_csv):
    with pytest.raises(ImportFileError) as refused:
        read_csv("a,b\n1,2,3,4,5\n")

    assert str(refused.value) == "Row 3 (line 3) has 5 columns; the limit is 4 (IMPORT_MAX_COLUMNS)."


def test_an_unquoted_cell_over_the_limit_is_refused(read_csv):
    with pytest.raises(ImportFileError) as refused:
        read_csv("a,b\nshort," + "x" * 11 + "\n")

    assert str(refused.value) == (
        "Row 3 (line 3) has a cell of 11 characters or more; the limit is 10 (IMPORT_MAX_CELL_CHARS)."
    )


def test_a_quoted_cell_over_the_limit_is_refused_as_it_grows(read_csv):
    with pytest.raises(ImportFileError, match=r"^Row 3 \(line 3\) has a cell of 11 characters or more; the limit "
                                              r"is 10 \(IMPORT_MAX_CELL_CHARS\); if the cell"):
        read_csv('a,b\nshort,"' + "x," * 20 + '"\n')


def test_cells_and_columns_at_the_limits_are_read(read_csv):
    assert read_csv("a,b,c,d\n" + "x" * 10 + ',"' + "y" * 10 + '",,\n')


def test_a_quote_never_closed_is_refused_with_the_row_and_line_where_it_opened(read_csv):
    with pytest.raises(ImportFileError) as refused:
        read_csv('a,b\n1,2\n3,"four\n5,6\n')

    assert str(refused.value).startswith("Row 4 (line 4) opens a quoted value that is never closed")


def test_a_quoted_value_of_more_line_breaks_than_a_cell_holds_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\n1,"' + b"\n" * 254 + b'"\n')

    with pytest.raises(ImportFileError, match=r"^Row 2 \(line 2\) opens a quoted value that runs over more than 253 "):
        list(PositionedCsv(path, ",").rows())


def test_a_multi_line_address_reads_as_one_cell(read_csv):
    result = read_csv('a,b\n1,"Main\nAp\nX"\n2,x\n')

    expected = ["1", "Main\nAp\nX"]
    assert result == 4 if isinstance(result, int) else result[-2:] == [expected, ["2", "x"]]


def test_a_nul_byte_is_refused_as_binary_data(read_csv):
    # Within the sample that encoding detection reads, a NUL is found there first.
    with pytest.raises(ImportFileError, match=r"^(Row 3 \(line 3\) holds a NUL byte: the file is binary data|"
                                              r"The file contains binary data)"):
        read_csv("a,b\n1,\0\n")


def test_a_line_longer_than_any_row_within_the_limits_is_refused_before_it_is_read_whole(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n" + b"x" * 200_000)

    with pytest.raises(ImportFileError, match=r"^Row 2 \(line 2\) is a line of more than 52 characters"):
        list(PositionedCsv(path, ",", SMALL).rows())


def test_utf8_broken_in_the_middle_is_refused_with_its_line(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("name\nJosé\nRenée\n".encode() + b"Ann\xff\n")

    with pytest.raises(ImportFileError) as refused:
        DelimitedSource(path)

    assert str(refused.value) == (
        "The file is UTF-8 text until line 4, which holds bytes that are not UTF-8: save it again as CSV UTF-8."
    )


# --- JSON ----------------------------------------------------------------------------------------------------------


def write_json(tmp_path: Path, records: list[str], lines: bool) -> Path:
    path = tmp_path / ("f.jsonl" if lines else "f.json")
    path.write_text("\n".join(records) + "\n" if lines else "[" + ",".join(records) + "]")
    return path


def json_rows(path: Path, limits: ReadLimits = SMALL) -> list[list[str]]:
    return list(JsonSource(path, limits).rows())


PLACES = {False: "Item 2 of the JSON array", True: "Line 2 of the JSON Lines file"}


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_json_nested_deeper_than_four_levels_is_refused_as_it_streams(tmp_path, lines):
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = write_json(tmp_path, ['{"a": 1}', deep], lines)

    with pytest.raises(ImportFileError) as refused:
        json_rows(path, ReadLimits())

    assert str(refused.value).startswith(f"{PLACES[lines]} nests values more than 4 levels deep")


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_json_four_levels_deep_is_read_as_json_text(tmp_path, lines):
    path = write_json(tmp_path, ['{"a": [{"b": [1]}]}'], lines)

    assert json_rows(path, ReadLimits()) == [["a"], ['[{"b": [1]}]']]


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
@pytest.mark.parametrize("value", ['"' + "x" * 11 + '"', "[" + ",".join(["1"] * 6) + "]", "1e999999999"],
                         ids=["string", "list", "exponent"])
def test_a_json_cell_over_the_limit_is_refused(tmp_path, lines, value):
    path = write_json(tmp_path, ['{"a": 1}', '{"a": ' + value + "}"], lines)

    with pytest.raises(ImportFileError, match=rf"^{PLACES[lines]} has a cell of [\d,]+ characters or more; the "
                                              r"limit is 10 \(IMPORT_MAX_CELL_CHARS\)\.$"):
        json_rows(path)


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_json_distinct_keys_are_counted_as_they_accumulate(tmp_path, lines):
    path = write_json(tmp_path, ['{"a": 1, "b": 2}', '{"c": 1, "d": 2}', '{"e": 1}'], lines)

    with pytest.raises(ImportFileError) as refused:
        json_rows(path)

    place = "Item 3 of the JSON array" if not lines else "Line 3 of the JSON Lines file"
    assert str(refused.value) == (
        f"{place} brings the file's distinct keys (its columns) to 5; the limit is 4 (IMPORT_MAX_COLUMNS)."
    )


def test_one_json_object_with_too_many_keys_is_refused_while_it_is_built(tmp_path):
    path = write_json(tmp_path, ['{"a": 1}', "{" + ",".join(f'"k{n}": 1' for n in range(5_000)) + "}"], False)

    with pytest.raises(ImportFileError, match=r"^Item 2 of the JSON array has 5 columns; the limit is 4"):
        json_rows(path)


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_json_rows_over_the_limit_are_refused(tmp_path, lines):
    path = write_json(tmp_path, ['{"a": 1}'] * 6, lines)

    with pytest.raises(ImportFileError, match=r"more than 5 rows, the limit \(IMPORT_MAX_ROWS\)"):
        json_rows(path)


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_a_json_number_too_long_to_convert_is_refused_not_a_crash(tmp_path, lines):
    path = write_json(tmp_path, ['{"a": ' + "7" * 100_000 + "}"], lines)

    with pytest.raises(ImportFileError, match="holds a number of more than 4,300 digits"):
        json_rows(path, ReadLimits())


@pytest.mark.parametrize("lines", [False, True], ids=["array", "lines"])
def test_a_json_nul_character_is_refused(tmp_path, lines):
    path = write_json(tmp_path, ['{"a": 1}', '{"a": "x\\u0000"}'], lines)

    with pytest.raises(ImportFileError, match=rf"^{PLACES[lines]} holds a NUL character"):
        json_rows(path)


# --- The wizard reads the whole file under the same limits -----------------------------------------------------


@pytest.mark.django_db
def test_the_wizard_refuses_a_file_whose_problem_lies_past_the_rows_it_previews(settings, company, user, tmp_path):
    settings.IMPORT_MAX_COLUMNS = 12
    header = "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number"
    rows = [header, *[f"A,B,a{n}@example.com,5555555555,1 Main St,Springfield,IL,62701,M{n}" for n in range(500)]]
    rows[400] += ",,,,,,,"
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(rows) + "\n")

    with open(path, "rb") as handle, pytest.raises(ImportFileError) as refused:
        upload_create(company=company, user=user, target_name="Customer", file=File(handle, name="customers.csv"))

    assert str(refused.value) == "Row 401 (line 401) has 16 columns; the limit is 12 (IMPORT_MAX_COLUMNS)."
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.csv"))


def test_a_file_of_exactly_the_size_limit_is_accepted_and_one_byte_more_is_refused_in_one_sentence(settings):
    settings.IMPORT_MAX_FILE_MB = 1
    assert file_size_refusal(1024 * 1024) is None
    assert file_size_refusal(1024 * 1024 + 1) == "The file is 1.0 MB; the limit is 1 MB."
    with pytest.raises(ImportFileError, match=r"^The file is 1\.5 MB; the limit is 1 MB\.$"):
        check_file_size(3 * 512 * 1024)
