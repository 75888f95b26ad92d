"""Expensive searches take turns on a server's slots; cheap ones never wait (search/slots.py, limits.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from search.limits import CHEAP_SECONDS, SearchTimeout, check_time, time_budget
from search.slots import Slots, server_slots


@pytest.fixture
def one_slot():
    with server_slots(1) as slots:
        yield slots


def held(slots: Slots) -> int:
    fd = slots.take(time.monotonic() + 1)
    assert fd is not None
    return fd


def test_a_cheap_search_runs_while_every_slot_is_held(one_slot):
    fd = held(one_slot)
    with time_budget(1):
        check_time()  # well within CHEAP_SECONDS: no slot needed
    Slots.give_back(fd)


def test_an_expensive_search_waits_for_a_slot_and_holds_it_to_its_end(one_slot):
    fd = held(one_slot)
    threading.Timer(0.1, Slots.give_back, [fd]).start()
    with time_budget(2):
        time.sleep(CHEAP_SECONDS)
        check_time()  # waits for the slot the timer frees
        assert one_slot.take(time.monotonic()) is None  # the search holds the only slot
    fd = one_slot.take(time.monotonic())
    assert fd is not None  # given back when the search ended
    Slots.give_back(fd)


def test_an_expensive_search_that_gets_no_slot_stops_at_its_deadline(one_slot):
    fd = held(one_slot)
    started = time.monotonic()
    with pytest.raises(SearchTimeout), time_budget(0.3):
        time.sleep(CHEAP_SECONDS)
        check_time()
    assert time.monotonic() - started >= 0.3 - 0.01  # it waited for a slot until then
    Slots.give_back(fd)


def test_outside_a_server_an_expensive_search_needs_no_slot():
    with time_budget(1):
        time.sleep(CHEAP_SECONDS)
        check_time()


HOLDER = """
import sys, time
from pathlib import Path
from search.slots import Slots
print(Slots(Path(sys.argv[1])).take(time.monotonic() + 5) is not None, flush=True)
time.sleep(60)
"""


def test_the_slot_of_a_killed_process_is_free_again(one_slot):
    directory = one_slot.paths[0].parent
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        assert one_slot.take(time.monotonic()) is None
    finally:
        holder.kill()
        holder.communicate()
    fd = one_slot.take(time.monotonic() + 1)
    assert fd is not None
    Slots.give_back(fd)


def test_the_slot_files_go_when_the_server_stops():
    with server_slots(2) as slots:
        paths = slots.paths
        assert len(paths) == 2 and all(p.exists() for p in paths)
    assert not any(p.exists() for p in paths)
