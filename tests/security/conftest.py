"""Security regression tests (issue 13): reuse the command-line and team fixtures."""

from tests.cli.conftest import hmip  # noqa: F401
from tests.sync.conftest import kit, trio  # noqa: F401
