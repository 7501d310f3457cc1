"""Rows that repeat an earlier row's value are found across chunks and buckets, each with its first row."""

from imports.engine.spill import ChunkSpill, duplicates_find


def spill(folder, buckets, columns):
    chunk = ChunkSpill(folder, buckets)
    for field, values, rows in columns:
        chunk.add(field, values, rows)
    chunk.close()
    return folder


def test_repeats_across_chunks_and_buckets_name_the_first_row(tmp_path):
    keys = [f"K{n}" for n in range(1, 41)]
    first = spill(tmp_path / "0", 7, [("key", keys[:20], list(range(1, 21))), ("meter", ["M1", None, "M2"], [1, 2, 3])])
    second = spill(tmp_path / "1", 7, [
        ("key", [*keys[20:39], "K5"], list(range(21, 41))),
        ("meter", ["M2", "M1", None], [21, 22, 23]),
    ])

    found = duplicates_find([first, second], ["key", "meter"], 7)

    assert found == [(21, "meter", 3), (22, "meter", 1), (40, "key", 5)]


def test_a_value_repeated_several_times_points_every_repeat_at_the_first(tmp_path):
    folder = spill(tmp_path / "0", 1, [("key", ["A", "B", "A", "A", None, "B"], [1, 2, 3, 4, 5, 6])])

    assert duplicates_find([folder], ["key"], 1) == [(3, "key", 1), (4, "key", 1), (6, "key", 2)]


def test_blocks_larger_than_memory_holds_are_spilled_and_read_back(tmp_path):
    values = [f"V{n % 9000}" for n in range(20_000)]
    folder = spill(tmp_path / "0", 3, [("key", values, list(range(1, 20_001)))])

    found = duplicates_find([folder], ["key"], 3)

    assert len(found) == 20_000 - 9000
    assert found[0] == (9001, "key", 1)


def test_a_scan_run_again_starts_from_an_empty_folder(tmp_path):
    spill(tmp_path / "0", 1, [("key", ["A"], [1])])
    folder = spill(tmp_path / "0", 1, [("key", ["A"], [7])])

    assert duplicates_find([folder], ["key"], 1) == []
