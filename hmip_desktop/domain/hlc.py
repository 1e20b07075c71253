"""Hybrid logical clock.

A stamp is 48-bit milliseconds + 16-bit counter + device id, rendered as fixed-width hex so
that string order equals clock order. The clock takes the maximum of wall time and the last
time seen, and bumps the counter when wall time has not moved. It orders revisions for
display and for the deterministic default winner; causality itself comes from parents.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from hmip_desktop.domain.errors import UserError

MAX_MILLIS = (1 << 48) - 1  # 12 hex digits: the year 10889
MAX_COUNTER = 0xFFFF  # 4 hex digits
_STAMP_RE = re.compile(r"([0-9a-f]{12})-([0-9a-f]{4})-(.+)", re.ASCII | re.DOTALL)


class ClockExhausted(UserError):
    """No stamp can follow the latest one within the encoding (a stamp at its very limit)."""


@dataclass(frozen=True, order=True)
class HlcStamp:
    """One clock reading; compares by (millis, counter, device)."""

    millis: int
    counter: int
    device: str

    def encode(self) -> str:
        """Fixed-width text form: string order is clock order."""
        if not (0 <= self.millis <= MAX_MILLIS and 0 <= self.counter <= MAX_COUNTER):
            raise ValueError("clock stamp out of range")
        return f"{self.millis:012x}-{self.counter:04x}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> HlcStamp:
        """Parse the text form (lower-case hex digits only); ValueError when malformed."""
        match = _STAMP_RE.fullmatch(text)
        if match is None:
            raise ValueError("malformed clock stamp")
        return cls(int(match[1], 16), int(match[2], 16), match[3])


class HybridLogicalClock:
    """A per-device HLC; thread-safe."""

    def __init__(self, device: str, last: str | None = None,
                 wall: Callable[[], int] | None = None) -> None:
        self._device = device
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        if last:
            stamp = HlcStamp.decode(last)
            self._millis, self._counter = stamp.millis, stamp.counter
        else:
            self._millis, self._counter = 0, 0

    def now(self) -> str:
        """A new stamp, strictly greater than every stamp issued or observed before."""
        with self._lock:
            wall = min(self._wall(), MAX_MILLIS)
            if wall > self._millis:
                self._millis, self._counter = wall, 0
            elif self._counter < MAX_COUNTER:
                self._counter += 1
            elif self._millis < MAX_MILLIS:  # counter overflow: move the logical time on
                self._millis, self._counter = self._millis + 1, 0
            else:
                # Only reachable after observing a stamp at the encoding's limit; imports
                # refuse stamps far ahead of this computer's clock, so this is a last guard.
                raise ClockExhausted(
                    "This inspection file holds a change dated at the clock's limit, so no "
                    "later change can be recorded. Ask the team leader to restore the file.")
            return HlcStamp(self._millis, self._counter, self._device).encode()

    def observe(self, stamp: str) -> None:
        """Take a remote stamp into account so later local stamps sort after it."""
        other = HlcStamp.decode(stamp)
        with self._lock:
            if (other.millis, other.counter) > (self._millis, self._counter):
                self._millis, self._counter = other.millis, other.counter

    @property
    def last(self) -> str:
        """The latest stamp issued or observed (persisted between runs)."""
        with self._lock:
            return HlcStamp(self._millis, self._counter, self._device).encode()


def hlc_millis(stamp: str) -> int:
    """Milliseconds since the epoch of a stamp (approximate wall time for display); read
    for every row of a listing, so without building an HlcStamp."""
    match = _STAMP_RE.fullmatch(stamp)
    if match is None:
        raise ValueError("malformed clock stamp")
    return int(match[1], 16)
