"""The reliability suites' profiles: the normal one (SQLite, in ``make test``) and the long
one (PostgreSQL, more examples of more steps: ``make test-long``, i.e. ``BOBOT_LONG=1``).
``BOBOT_EXAMPLES=N`` changes the number of examples of either."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("BOBOT_LONG", "") not in ("", "0")
_examples = os.environ.get("BOBOT_EXAMPLES")

_common = {
    "deadline": None,
    "database": None,  # no example files in the work tree; a failure prints its steps
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
settings.register_profile(
    "bobot-normal", max_examples=int(_examples or 200), stateful_step_count=50, **_common
)
settings.register_profile(
    "bobot-long", max_examples=int(_examples or 500), stateful_step_count=100, **_common
)

#: The profile the suites run under, and the database the state machine runs on.
PROFILE = "bobot-long" if LONG else "bobot-normal"
BACKEND = "postgres" if LONG else "sqlite"
