"""The header of a file is found once, by one rule, for the wizard's table and for the job's layout."""

import pytest

from imports.declare.errors import ImportFileError
from imports.engine.readers.table import find_header


def numbered(rows):
    return [(cells, index) for index, cells in enumerate(rows)]


def test_the_header_is_the_best_scored_of_the_first_ten_non_blank_rows_with_its_position():
    rows = numbered([["Customers"], ["", " "], ["x", "key", "name"], ["1", "key", "name", "key"], ["2", "a", "b"]])

    assert find_header(rows, lambda cells: cells.count("key")) == (["1", "key", "name", "key"], 3)


def test_without_a_score_the_header_is_the_earliest_non_blank_row_with_the_most_filled_cells():
    rows = numbered([[" ", ""], ["Customers", "", ""], ["key", "name", ""], ["a", "b", ""]])

    assert find_header(rows, None) == (["key", "name", ""], 2)


def test_rows_after_the_tenth_non_blank_one_are_never_the_header():
    rows = numbered([["title"]] * 10 + [["key", "name", "town"]])

    assert find_header(rows, None) == (["title"], 0)


def test_a_json_files_header_is_its_first_non_blank_row():
    rows = numbered([[""], ["key"], ["key", "name", "town"]])

    assert find_header(rows, lambda cells: len(cells), first=True) == (["key"], 1)


def test_a_file_of_blank_rows_has_no_header():
    with pytest.raises(ImportFileError, match=r"^The file has no rows: it is empty or every row is blank\.$"):
        find_header(numbered([[""], ["", " \t"]]), None)
