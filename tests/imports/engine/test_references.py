"""References within a file: the records chunks keep for them, where their keys are found, and cycles in a graph
where each node has at most one parent, found a step at a time."""

from imports.engine.references import cycles_find
from imports.engine.spill import ChunkSpill, bucket_of, bucket_read, records_read


def test_kept_records_are_read_back_from_every_chunk_in_row_order(tmp_path):
    first, second = ChunkSpill(tmp_path / "0", 3), ChunkSpill(tmp_path / "1", 3)
    first.add_records("parent", [(1, "A", "B"), (2, None, "A")])
    first.add_records("parent", [(5, "C", "A")])
    second.add_records("parent", [(9, "D", "C")])
    first.close()
    second.close()

    assert list(records_read([tmp_path / "0", tmp_path / "1"], "parent")) == [
        (1, "A", "B"), (2, None, "A"), (5, "C", "A"), (9, "D", "C"),
    ]
    assert list(records_read([tmp_path / "0"], "other")) == []


def test_kept_records_beyond_what_memory_holds_are_spilled_and_read_back(tmp_path):
    spill = ChunkSpill(tmp_path / "0", 1)
    records = [(row, f"K{row}", f"P{row}") for row in range(1, 40_001)]
    spill.add_records("parent", records[:20_000])
    spill.add_records("parent", records[20_000:])
    spill.close()

    assert list(records_read([tmp_path / "0"], "parent")) == records


def test_bucket_of_names_the_bucket_a_value_was_spilled_into(tmp_path):
    spill = ChunkSpill(tmp_path / "0", 7)
    values = [f"ACC-{n}" for n in range(50)]
    spill.add("key", values, list(range(1, 51)))
    spill.close()

    for value, row in zip(values, range(1, 51), strict=True):
        bucket_values, bucket_rows = bucket_read([tmp_path / "0"], "key", bucket_of(value, 7))
        assert (value, row) in zip(bucket_values, bucket_rows, strict=True)


def never(nodes):
    raise AssertionError(f"asked for {nodes}")


def test_chains_without_a_loop_have_no_cycle():
    assert cycles_find(["a", "b"], {"a": "b", "b": "c", "c": None}, never) == []


def test_a_cycle_is_found_once_whichever_node_the_walk_starts_from():
    cycles = cycles_find(["a", "b", "c", "d"], {"a": "b", "b": "c", "c": "a", "d": "a"}, never)

    assert cycles == [["a", "b", "c"]]


def test_a_node_that_is_its_own_parent_is_a_cycle():
    assert cycles_find(["a"], {"a": "a"}, never) == [["a"]]


def test_parents_not_known_are_fetched_a_step_at_a_time_for_all_nodes_of_the_step():
    stored = {"s1": "s2", "s2": "s3", "s3": "x", "t1": "s2"}
    asked = []

    def fetch(nodes):
        asked.append(sorted(nodes))
        return {node: stored[node] for node in nodes if node in stored}

    cycles = cycles_find(["x", "y"], {"x": "s1", "y": "t1"}, fetch)

    assert cycles == [["x", "s1", "s2", "s3"]]
    assert asked == [["s1", "t1"], ["s2"], ["s3"]]


def test_a_node_fetch_leaves_out_has_no_parent():
    assert cycles_find(["a"], {"a": "gone"}, lambda nodes: {}) == []
