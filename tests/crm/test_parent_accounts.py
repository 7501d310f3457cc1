"""Parent accounts: an account number stored already or given by any row of the file, in any batch or chunk.
A parent that exists nowhere, or a cycle of parents, is a row error judged on the whole file before any row is
written; a parent whose own row fails leaves a warning on its children."""

import pytest

from crm.models import Account
from imports.engine import links
from imports.models import ImportDuplicate, ImportReference

from .conftest import ACCOUNT_COLUMNS, business, csv_text, parents, report_rows

pytestmark = pytest.mark.django_db

# A grandchild, two children and their parent, every child before its parent.
CHILDREN_FIRST = [business("G-1", "C-1"), business("C-2", "P-1"), business("C-1", "P-1"), business("P-1")]
HIERARCHY = {"G-1": "C-1", "C-2": "P-1", "C-1": "P-1", "P-1": None}


@pytest.mark.parametrize(
    ("chunk_rows", "batch_size", "chunks"),
    [(50_000, 1000, 1), (50_000, 1, 1), (2, 1, 2), (1, 1, 4)],
    ids=["one batch", "a batch a row", "two chunks", "a chunk a row"],
)
def test_children_before_their_parents_import_completely(import_accounts, settings, chunk_rows, batch_size, chunks):
    settings.IMPORT_CHUNK_ROWS = chunk_rows

    job = import_accounts(*CHILDREN_FIRST, batch_size=batch_size)

    assert job.chunks.count() == chunks
    assert (job.job_status, job.created_records, job.failed_records) == ("completed", 4, 0)
    assert parents() == HIERARCHY
    assert not job.error_report
    assert not ImportReference.objects.exists()  # forgotten once the job is done


def test_children_whose_parents_another_worker_wrote_meanwhile_are_linked_at_the_end(
    import_accounts, settings, monkeypatch
):
    # Chunks that run at once cannot see each other's uncommitted rows: here no batch ever sees the references
    # earlier batches left waiting, as when each chunk ran on its own worker.
    monkeypatch.setattr(links, "_waiting_for", lambda job, plans: [])
    settings.IMPORT_CHUNK_ROWS = 1

    job = import_accounts(*CHILDREN_FIRST, batch_size=1)

    assert (job.created_records, job.failed_records) == (4, 0)
    assert parents() == HIERARCHY
    assert not job.error_report


def test_a_parent_already_stored_is_linked_and_an_import_twice_is_unchanged(import_accounts):
    import_accounts(business("P-1"))

    first = import_accounts(business("C-1", "P-1"), business("C-2", "P-1"))
    second = import_accounts(business("C-1", "P-1"), business("C-2", "P-1"))

    assert first.created_records == 2
    assert (second.unchanged_records, second.updated_records) == (2, 0)
    assert parents() == {"P-1": None, "C-1": "P-1", "C-2": "P-1"}


def test_a_parent_that_exists_nowhere_fails_its_row(import_accounts):
    job = import_accounts(business("C-1", "P-404"), business("C-2"))

    assert (job.created_records, job.failed_records) == (1, 1)
    assert report_rows(job)[0]["error_message"] == (
        "Unknown parent account 'P-404': no row of this file and no stored account has this account number"
    )


def test_an_account_cannot_be_its_own_parent(import_accounts):
    job = import_accounts(business("A-1", "A-1"))

    assert report_rows(job)[0]["error_message"] == (
        "Parent account 'A-1' is this account itself: it cannot be its own parent account"
    )
    assert not Account.objects.exists()


@pytest.mark.parametrize("chunk_rows", [50_000, 1], ids=["one chunk", "a chunk a row"])
def test_every_row_of_a_cycle_of_three_fails_and_the_rest_import(import_accounts, settings, chunk_rows):
    settings.IMPORT_CHUNK_ROWS = chunk_rows

    job = import_accounts(
        business("X-1", "X-2"), business("X-2", "X-3"), business("X-3", "X-1"), business("Z-1"), batch_size=1
    )

    assert {row["row_number"]: row["error_message"] for row in report_rows(job)} == {
        "1": "Parent account 'X-2' makes a cycle: following parent account from sheet row 3 leads back to this account",
        "2": "Parent account 'X-3' makes a cycle: following parent account from sheet row 4 leads back to this account",
        "3": "Parent account 'X-1' makes a cycle: following parent account from sheet row 2 leads back to this account",
    }
    assert (job.created_records, job.failed_records) == (1, 3)
    assert parents() == {"Z-1": None}


@pytest.mark.parametrize("chunk_rows", [50_000, 1], ids=["one chunk", "a chunk a row"])
def test_a_cycle_names_the_rows_it_follows_by_their_sheet_rows_below_blank_rows(groups, write_file, run_import,
                                                                               settings, chunk_rows):
    settings.IMPORT_CHUNK_ROWS = chunk_rows
    header, *rows = csv_text(ACCOUNT_COLUMNS, [business("X-1", "X-2"), business("X-2", "X-1")]).splitlines()
    text = "\n".join([header, rows[0], "", "", rows[1]]) + "\n"  # X-2 on sheet row 5

    job = run_import(write_file("accounts.csv", text), target="Account")

    assert {row["row_number"]: row["error_message"] for row in report_rows(job)} == {
        "1": "Parent account 'X-2' makes a cycle: following parent account from sheet row 5 leads back to this account",
        "2": "Parent account 'X-1' makes a cycle: following parent account from sheet row 2 leads back to this account",
    }


def test_a_cycle_through_stored_accounts_fails_the_rows_that_close_it(import_accounts):
    import_accounts(business("S-2"), business("S-1", "S-2"))  # stored: S-1's parent is S-2

    job = import_accounts(business("N-1", "S-1"), business("S-2", "N-1"), business("N-2", "S-1"))

    assert {row["row_number"]: row["error_message"] for row in report_rows(job)} == {
        "1": "Parent account 'S-1' makes a cycle: following parent account from stored account S-1 leads back to "
             "this account",
        "2": "Parent account 'N-1' makes a cycle: following parent account from sheet row 2 leads back to this account",
    }
    assert parents() == {"S-1": "S-2", "S-2": None, "N-2": "S-1"}


def test_a_file_may_move_an_account_out_of_the_way_of_a_would_be_cycle(import_accounts):
    import_accounts(business("A-1"), business("B-1"))
    import_accounts(business("A-1", "B-1"))  # stored: A-1's parent is B-1

    job = import_accounts(business("B-1", "A-1"), business("A-1", "C-1"), business("C-1"))

    assert (job.failed_records, job.updated_records, job.created_records) == (0, 2, 1)
    assert parents() == {"A-1": "C-1", "B-1": "A-1", "C-1": None}


def test_a_child_whose_parent_row_fails_is_imported_with_a_warning(import_accounts, settings):
    settings.IMPORT_CHUNK_ROWS = 1

    job = import_accounts(business("C-1", "P-1"), business("P-1", website="not a website"), batch_size=1)

    assert (job.created_records, job.failed_records) == (1, 1)
    assert parents() == {"C-1": None}
    assert [(row["row_number"], row["error_message"]) for row in report_rows(job)] == [
        ("1", "Warning: Parent account 'P-1' was not set: sheet row 3, the row with that account number, was not "
              "imported; import it, then this row again"),
        ("2", "Invalid website 'not a website': use a web address such as https://example.com or example.com"),
    ]
    assert report_rows(job)[0]["account_number"] == "C-1"  # the row's cells, read back from the file


def test_an_account_keeps_its_stored_parent_while_its_new_one_fails(import_accounts):
    import_accounts(business("P-1"), business("C-1", "P-1"))

    job = import_accounts(business("C-1", "P-2"), business("P-2", website="not a website"))

    assert parents() == {"P-1": None, "C-1": "P-1"}
    assert report_rows(job)[0]["error_message"].startswith("Warning: Parent account 'P-2' was not set: sheet row 3")


def test_a_link_that_failed_rows_turn_into_a_cycle_is_undone_with_a_warning(import_accounts):
    import_accounts(business("B-1"), business("A-1", "B-1"))  # stored: A-1's parent is B-1
    # The file moves A-1 under C-1 and B-1 under A-1: no cycle, as long as A-1's row is imported. It is not.
    job = import_accounts(business("A-1", "C-1", website="not a website"), business("B-1", "A-1"), business("C-1"))

    assert parents() == {"A-1": "B-1", "B-1": None, "C-1": None}
    assert [(row["row_number"], row["error_message"]) for row in report_rows(job)][1] == (
        "2", "Warning: Parent account 'A-1' was not set: with the rows of this file that were not imported, it "
             "would make a cycle of parent account links; the account has no parent account now",
    )


def test_a_dry_run_judges_parents_and_writes_nothing(import_accounts):
    job = import_accounts(business("C-1", "P-1"), business("P-1"), business("L-1", "L-2"), business("L-2", "L-1"),
                          dry_run=True)

    assert (job.created_records, job.failed_records) == (2, 2)
    assert not Account.objects.exists()
    assert not ImportReference.objects.exists()


def test_verdicts_are_kept_with_the_jobs_repeats(import_accounts):
    job = import_accounts(business("C-1", "P-1"), business("P-1"), business("O-1", "P-404"), dry_run=True)

    assert set(ImportDuplicate.objects.filter(job=job).values_list("row_number", "field", "first_row")) == {
        (1, "parent_account:row", 2), (3, "parent_account:missing", 0),
    }


def test_updating_some_rows_parents_and_groups_leaves_the_other_rows_as_they_are(import_accounts):
    import_accounts(business("P-1"), business("P-2"), business("A-1", "P-1"), business("B-1", "P-1"),
                    business("C-1"))

    # One batch: A-1 changes parent and group, C-1 gets a parent still to come; B-1 and C-1 change nothing else of
    # those (the writer writes a column for all updates of a batch once one of them changes it).
    job = import_accounts(business("A-1", "P-2", customer_group="Individuals"), business("C-1", "P-3"),
                          {"account_number": "B-1", "industry": "Mining"}, business("P-3"))

    assert (job.updated_records, job.created_records, job.failed_records) == (3, 1, 0)
    assert parents() == {"P-1": None, "P-2": None, "A-1": "P-2", "B-1": "P-1", "C-1": "P-3", "P-3": None}
    assert dict(Account.objects.values_list("account_number", "customer_group__name")) == {
        "P-1": "Businesses", "P-2": "Businesses", "A-1": "Individuals", "B-1": "Businesses", "C-1": "Businesses",
        "P-3": "Businesses",
    }
