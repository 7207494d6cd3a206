"""pytest fixtures: one `hookgate emulate` for the whole session, reset before every test.

HOOKGATE_BIN names the binary (else `hookgate` on PATH); HOOKGATE_DIALECTS the dialects, comma
separated (this suite's own runner passes every dialect hookgate has).
"""

import os

import pytest

from hookgate_emulator import Emulators


@pytest.fixture(scope="session")
def emulators():
    dialects = os.environ["HOOKGATE_DIALECTS"].split(",")
    with Emulators(dialects, seed=7) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(emulators):
    for emulator in emulators.emulators.values():
        emulator.reset()
