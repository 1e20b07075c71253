"""Hybrid logical clock.

A stamp is 48-bit milliseconds + 16-bit counter + device id, rendered as fixed-width hex so
that string order equals clock order. The clock takes the maximum of wall time and the last
time seen, and bumps the counter when wall time has not moved. It orders revisions for
display and for the deterministic default winner; causality itself comes from parents.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class HlcStamp:
    """One clock reading; compares by (millis, counter, device)."""

    millis: int
    counter: int
    device: str

    def encode(self) -> str:
        """Fixed-width text form: string order is clock order."""
        return f"{self.millis:012x}-{self.counter:04x}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> HlcStamp:
        """Parse the text form; raises ValueError when malformed."""
        millis, counter, device = text.split("-", 2)
        if len(millis) != 12 or len(counter) != 4:
            raise ValueError("malformed clock stamp")
        return cls(int(millis, 16), int(counter, 16), device)


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
            wall = self._wall()
            if wall > self._millis:
                self._millis, self._counter = wall, 0
            else:
                self._counter += 1
                if self._counter > 0xFFFF:  # counter overflow: move the logical time on
                    self._millis, self._counter = self._millis + 1, 0
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
    """Milliseconds since the epoch of a stamp (approximate wall time for display)."""
    return HlcStamp.decode(stamp).millis
