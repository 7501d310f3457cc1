from unittest import mock

import pytest

import imports.declare.targets as targets


@pytest.fixture
def registry():
    """The registry as the apps filled it, put back after the test whatever it registered."""
    with mock.patch.dict(targets._registry):
        yield targets._registry
