"""The fixed instant of the tests whose behaviour depends on the date (time-machine).

A test that computed "today" itself could straddle midnight, the end of a year or a change of
summer time, and fail on one day out of many. Those tests live at :data:`NOW` instead: mark the
module (or the test) with :data:`frozen`, or request ``time_machine`` and ``time_machine.move_to(NOW)``
in a fixture that builds dated rows; move the clock with ``time_machine.shift(timedelta(...))``.

The clock ticks from :data:`NOW` (``tick=True``): code that measures how long something takes still
sees time pass. :data:`NOW` lies in the past, so a real worker (``.ci/run``) never finds work that
was recorded "in the future"; tests that talk to one keep the real clock.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

# A Wednesday of June: far from the end of a year and from a change of summer time.
NOW = datetime(2025, 6, 11, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = NOW.date()

frozen = pytest.mark.time_machine(NOW)
