"""`hmip settings recovery-key` and `hmip recover` after losing the key."""

from __future__ import annotations

import json
from pathlib import Path

import pyrage


def test_recovery_key_then_recover_after_losing_the_passphrase_file(hmip, tmp_path: Path,
                                                                      isolated_home: Path
                                                                      ) -> None:
    """A file made while a recovery key is set can be reopened with the recovery identity."""
    org = pyrage.x25519.Identity.generate()
    assert "no recovery key" in hmip("settings", "recovery-key").stdout
    assert hmip("settings", "recovery-key", "nonsense", check=False).returncode == 2
    hmip("settings", "recovery-key", str(org.to_public()))
    f = tmp_path / "r.hmip"
    hmip("new", str(f), "--establishment", "HMP R", "--type", "mens_prison")
    record = Path(str(f) + ".key")
    data = json.loads(record.read_text())
    assert data["recovery"]
    data["wrapped"]["ct"] = data["wrapped"]["ct"][::-1]  # the passphrase wrap is lost/damaged
    record.write_text(json.dumps(data))
    assert hmip("info", str(f), check=False).returncode == 2
    ident = tmp_path / "org.key"
    ident.write_text(f"# organisation recovery identity\n{org}\n")
    hmip("recover", str(f), "--identity-file", str(ident))
    assert json.loads(hmip("info", str(f), "--json").stdout)["establishment_name"] == "HMP R"


def test_a_huge_recovery_identity_file_is_refused_before_reading(hmip, tmp_path: Path,
                                                                 isolated_home: Path) -> None:
    """A wrong file (a disk image, a video) is refused by its size, naming the limit."""
    f = tmp_path / "r.hmip"
    hmip("new", str(f), "--establishment", "HMP R", "--type", "mens_prison")
    big = tmp_path / "big.key"
    with open(big, "wb") as handle:  # sparse: nothing is written to disk
        handle.truncate(3 * 1024 ** 3)
    out = hmip("recover", str(f), "--identity-file", str(big), check=False)
    assert out.returncode == 2 and "limit: 64 KiB" in out.stderr, out.stderr
