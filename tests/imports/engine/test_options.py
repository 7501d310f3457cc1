"""Modes and duplicate strategies are one vocabulary: the job's choices (what the wizard's form offers) are what
the options accept, the command and the API included."""

import pytest

from imports.declare.errors import ImportFileError
from imports.engine.options import DUPLICATE_STRATEGIES, MODES, ImportOptions
from imports.models import ImportExportJob


def test_every_choice_the_wizard_offers_is_accepted_as_written():
    for mode in ImportExportJob.Mode.values:
        assert ImportOptions.parse(mode=mode).mode == mode
    for strategy in ImportExportJob.DuplicateHandling.values:
        assert ImportOptions.parse(duplicates=strategy).duplicates == strategy
    assert (MODES, DUPLICATE_STRATEGIES) == (("create", "update", "upsert"), ("skip", "update", "error", "create_new"))


@pytest.mark.parametrize(("alias", "mode"), [("create_only", "create"), ("update_only", "update"),
                                             ("Create_Update", "upsert"), (" UPSERT ", "upsert")])
def test_the_guides_long_names_of_the_modes_mean_the_short_ones(alias, mode):
    assert ImportOptions.parse(mode=alias).mode == mode


def test_an_unknown_mode_or_strategy_names_the_accepted_ones():
    with pytest.raises(ImportFileError, match=r"^Unknown mode 'merge': use create, update or upsert\.$"):
        ImportOptions.parse(mode="merge")
    refusal = r"^Unknown duplicate handling 'keep': use skip, update, error, create_new\.$"
    with pytest.raises(ImportFileError, match=refusal):
        ImportOptions.parse(duplicates="keep")
