"""The packaged app in dist/hmip_desktop (built by `make package`) starts and works.

Skipped when there is no package (CI builds none: `make test` must stay under 10 minutes);
`make package-test` runs the same smoke test directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from frozen import smoke_test

DIST = Path(__file__).resolve().parents[2] / "dist" / "hmip_desktop"

pytestmark = [
    pytest.mark.package,
    pytest.mark.skipif(not DIST.is_dir(), reason="no packaged app in dist/ (make package)"),
]


def test_package_holds_what_the_app_loads_and_nothing_it_must_not() -> None:
    assert smoke_test.check_files(DIST) == []
    assert smoke_test.check_modules(DIST) == []


def test_frozen_executables_pass_the_smoke_test() -> None:
    smoke_test.smoke(DIST)  # raises SmokeFailure naming the step and what is missing


def test_failures_name_what_is_missing() -> None:
    assert smoke_test.name_missing("ModuleNotFoundError: No module named 'keyring.backends.x'"
                                   ) == "hidden import: keyring.backends.x"
    assert smoke_test.name_missing(
        "qt.qpa.plugin: Could not find the Qt platform plugin \"xcb\" in \"\""
    ) == "Qt platform plugin: xcb"
