"""Several simulated inspectors in one process: each device has its own data dir and keys."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.services import bundles, identity, join, team
from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import profile
from tests.factories import minimal_framework


@dataclass
class Device:
    """One simulated installation."""

    name: str
    home: Path
    keys: DeviceKeys
    store: InspectionStore | None = None
    bundles_written: list[Path] = field(default_factory=list)

    @property
    def card(self) -> identity.IdentityCard:
        with acting(self):
            return identity.card_for(self.keys, profile.load_device())

    @property
    def notes(self) -> NoteService:
        assert self.store is not None
        return NoteService(self.store)


@contextlib.contextmanager
def acting(dev: Device) -> Iterator[Device]:
    """Run code as this device (profile and settings come from its data dir)."""
    old = os.environ.get("HMIP_HOME")
    os.environ["HMIP_HOME"] = str(dev.home)
    try:
        yield dev
    finally:
        if old is not None:
            os.environ["HMIP_HOME"] = old


class TeamKit:
    """Builds devices, a team (leader + members joined by invite) and moves bundles."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.devices: dict[str, Device] = {}
        self._n = 0

    def device(self, name: str, role: str = "inspector") -> Device:
        home = self.root / f"home-{name}"
        home.mkdir(parents=True, exist_ok=True)
        dev = Device(name, home, DeviceKeys.generate())
        with acting(dev):
            prof = profile.load_device()
            prof.author_name, prof.role = name.title(), role
            profile.save_device(prof)
        self.devices[name] = dev
        return dev

    def team(self, *names: str) -> list[Device]:
        """A leader (first name) who creates the inspection, invites the rest, who join."""
        lead = self.device(names[0], "team_leader")
        others = [self.device(n) for n in names[1:]]
        with acting(lead):
            lead.store = create_inspection(
                self.root / f"{lead.name}.hmip", establishment_name="HMP Testfield",
                establishment_type="mens_prison", framework=minimal_framework())
            team.add_members(lead.store, [d.card for d in others], keys=lead.keys)
            invite = self.root / "invite.hmipbundle"
            team.write_invite(lead.store, invite, keys=lead.keys)
        for dev in others:
            with acting(dev):
                dev.store, _ = join.join_open(invite, self.root / f"{dev.name}.hmip",
                                              keys=dev.keys)
        return [lead, *others]

    def export(self, dev: Device, *, full: bool = False) -> Path:
        self._n += 1
        path = self.root / f"{dev.name}-{self._n:03d}.hmipbundle"
        assert dev.store is not None
        with acting(dev):
            bundles.export_bundle(dev.store, path, keys=dev.keys, full=full)
        dev.bundles_written.append(path)
        return path

    def import_(self, dev: Device, paths: list[Path], **kwargs) -> bundles.ImportReport:  # type: ignore[no-untyped-def]
        assert dev.store is not None
        with acting(dev):
            return bundles.import_bundles(dev.store, paths, keys=dev.keys, **kwargs)

    def digest(self, dev: Device) -> str:
        assert dev.store is not None
        return bundles.state_digest(dev.store)

    def close(self) -> None:
        for dev in self.devices.values():
            if dev.store is not None:
                dev.store.close()
                dev.store = None


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[TeamKit]:
    """A team kit in this test's temporary folder."""
    k = TeamKit(tmp_path / "team")
    yield k
    k.close()


@pytest.fixture
def trio(kit: TeamKit) -> list[Device]:
    """Lead, Alice and Bob: a team set up by invite."""
    return kit.team("lead", "alice", "bob")


def use_of_force_csv(folder: Path, rows: int) -> Path:
    """A plain CSV data extract of `rows` rows (for imports running beside merges)."""
    path = folder / "use-of-force.csv"
    lines = ["n,wing,minutes"] + [f"{i},{'ABC'[i % 3]},{i % 90}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
