import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def frozen(request):
    """Today is 15 June 2026 in Hong Kong: June is open until 10 July; May closed at the
    end of 10 June, and every earlier month before it."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=HK), tick=False) as traveller:
        yield traveller
