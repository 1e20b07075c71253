"""Finding a file key in a forked child process while the GUI starts (issue 11).

Why a process and not a thread: the GUI start is CPU-bound on one core, holding the GIL, and
finding a key needs Python work that holds it too: `import keyring` costs 80-100 ms of imports
(jaraco, importlib_metadata, email...), importing cryptography ~8 ms. (The Argon2id derivation
itself, ~110 ms of wall time for our parameters on two idle cores, releases the GIL with
cryptography 50: measured, the longest pause of a ticking thread during it was 4 ms; so a
passphrase typed into the dialog is derived on a thread without freezing the window.) In a
child all of it runs on another core; the parent imports neither.

Only where it is safe: Linux (a forked child of a process that has not loaded any framework
is an ordinary process there) and only while the calling process runs a single thread (the
entry point, before Qt loads). Anywhere else the caller does the work on a thread as before.
This module imports nothing but the standard library's basics, so that the entry point forks
before it imports anything else (~40 ms earlier than after services.startup and keys): the
child imports what finding the key needs.

The child writes its answer (the key, the id of the file it belongs to and, after a keyring
look-up, the file's first screen read with it, so that the app reads nothing before it shows
the file; or nothing) to a pipe only the parent holds and leaves with os._exit (no atexit
handlers, no buffered output flushed twice). Its standard streams are
/dev/null: it says nothing, and a child still waiting (a keyring unlock prompt left open)
must not hold the pipes of whoever started the app; the parent ends such a child when it
exits. Any failure, in the child or in the pipe, reads as "not found", and the caller then
finds the key in-process, where errors are raised and reported the usual way.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

# Bytes a child may send back (anything longer reads as no answer): the key and file id
# (< 256) and the first screen (the newest notes; a larger one is not sent, the app reads it).
MAX_FIRST_SCREEN = 8 << 20
MAX_REPLY = 256 + MAX_FIRST_SCREEN


def available() -> bool:
    """True when a child can be forked safely from here (Linux, one thread running)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1)


def find_file_key(path: Path, passphrase: str | None, *,
                  first_screen: bool) -> Callable[[], bytes | None] | None:
    """Fork a child finding the key of the inspection file at `path` (keyring, or Argon2id
    with `passphrase`) and then, with `first_screen` (the GUI), reading the file's first
    screen with it: see child_reply for its answer. None when no child could be
    started (the caller's helper thread does the work then, or nobody: the command line)."""

    def work() -> bytes | None:
        then = (lambda key: _first_screen(path, key)) if first_screen else None
        return child_reply(path, passphrase, then=then)

    return start(work)


def child_reply(path: Path, passphrase: str | None, *,
                then: Callable[[bytes], bytes] | None = None) -> bytes | None:
    """In a key child: the key of the inspection file at `path`, its file id and what
    `then(key)` read with it (the first screen), or None when the key cannot be found without
    asking (storage/key_reply.py has the layout). A derivation loads nothing but the key
    record's checks, the wrap and cryptography before it starts (storage/passphrase_wrap.py);
    the keyring look-up loads storage.keys and keyring."""
    from hmip_desktop.storage import key_reply
    from hmip_desktop.storage.key_find import find_key
    from hmip_desktop.storage.key_record_shape import key_record_path, read_record

    record = read_record(key_record_path(Path(path).resolve()))
    key = find_key(record["source"], record["wrapped"], record["file_id"], passphrase,
                   _keyring_secret)
    if key is None:
        return None
    # No first screen after a derivation: the key comes late, when the app has been waiting
    # with the reading modules loaded, and reads faster itself than the child could import
    # them.
    extra = b""
    if then is not None and record["source"] == "keyring":
        try:
            extra = then(key)
        except Exception:  # noqa: BLE001 - the key is what matters; the app reads the rest
            extra = b""
    return key_reply.pack(key, record["file_id"], extra)



def _keyring_secret(file_id: str) -> str | None:
    # storage.keys (and keyring) load only on the keyring path: a derivation needs neither.
    from hmip_desktop.storage.keys import keyring_secret

    return keyring_secret(file_id)


def _first_screen(path: Path, key: bytes) -> bytes:
    """The first screen of the file (storage.first_screen), as the app would read it; b""
    when there is none to send (a file to migrate, or one too large to send)."""
    from hmip_desktop.storage import first_screen

    rows = first_screen.read_first_screen(path, key, notes=first_screen.FIRST_NOTES)
    wire = b"" if rows is None else first_screen.rows_to_wire(rows)
    return wire if len(wire) <= MAX_FIRST_SCREEN else b""


def start(work: Callable[[], bytes | None]) -> Callable[[], bytes | None] | None:
    """Fork a child that runs `work` and sends its result back (at most MAX_REPLY bytes);
    returns a function that waits for that result (None when the child found nothing or
    failed), or None when no child could be started. The returned function must be called
    once: it reaps the child."""
    if not available():
        return None
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns
        _run_child(work, read_end, write_end)
    os.close(write_end)
    reaped = threading.Event()

    def end_if_running() -> None:  # at exit: the child may wait on a keyring prompt
        if not reaped.is_set():
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass

    atexit.register(end_if_running)

    def result() -> bytes | None:
        data = bytearray()
        try:
            while len(data) <= MAX_REPLY:  # blocking reads release the GIL
                chunk = os.read(read_end, 1 << 20)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(read_end)
            os.waitpid(pid, 0)
            reaped.set()
            atexit.unregister(end_if_running)
        return bytes(data) if 0 < len(data) <= MAX_REPLY else None

    return result


def _run_child(work: Callable[[], bytes | None], read_end: int, write_end: int) -> None:
    status = 1
    try:
        os.close(read_end)
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        reply = work()
        if reply is not None and 0 < len(reply) <= MAX_REPLY:
            view = memoryview(reply)
            while view:  # a pipe takes at most its buffer per write
                view = view[os.write(write_end, view):]
        status = 0
    except BaseException:  # noqa: BLE001, S110 - the parent finds the key again and reports
        pass
    finally:
        os._exit(status)
