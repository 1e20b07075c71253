"""Hostile and damaged bundles: each is refused with a clear BundleError or NewerVersionError."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyrage
import pytest

from hmip_desktop.bundle.format import BundleLimits
from hmip_desktop.bundle.reader import BundleReader
from hmip_desktop.domain.errors import BundleError, NewerVersionError

BLOB1, BLOB2, BLOB3 = "blobs/000001.age", "blobs/000002.age", "blobs/000003.age"


def read_fully(path: Path, identity: str, **kwargs: Any) -> None:
    """Open, then stream and verify every member, as an importer would before committing."""
    with BundleReader(path, [identity], **kwargs) as reader:
        reader.verify_all()


def refused(path: Path, team, match: str, error: type[Exception] = BundleError, **kw: Any) -> str:
    """Assert the bundle is refused with `match`; the message leaks no names or keys."""
    with pytest.raises(error, match=match) as info:
        read_fully(path, team.bob.age_identity, **kw)
    message = str(info.value)
    assert "A. Inspector" not in message and "AGE-SECRET" not in message
    assert "age1" not in message and "note " not in message
    return message


# --- damage ---------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["bundle.json", "manifest.age", "revisions.age", BLOB1])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_flipped_bit_in_any_member_is_damage(make_bundle, team, kit, member, where) -> None:
    """One flipped bit anywhere in any member is reported as damage."""
    path = make_bundle()
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo(member).compress_size
    pos = {"start": 0, "middle": size // 2, "end": size - 1}[where]
    kit.flip_bit(path, kit.member_data_offset(path, member) + pos, bit=3)
    message = refused(path, team, "damaged|not an inspection sync bundle|not encrypted to you")
    if member != "manifest.age" or where != "start":
        assert "damaged" in message or "not an inspection" in message


@pytest.mark.parametrize("member", ["manifest.age", "revisions.age", BLOB1])
@pytest.mark.parametrize("where", [0.5, 0.999])
def test_flipped_bit_behind_a_valid_zip_crc_is_caught_by_age(
    make_bundle, team, kit, out_dir, member, where
) -> None:
    """Tampering re-zipped with fresh CRCs is still caught by age's authentication."""
    path = make_bundle()
    with zipfile.ZipFile(path) as zf:
        data = bytearray(zf.read(member))
    data[int(len(data) * where)] ^= 0x10
    bad = kit.rewrite_zip(path, out_dir / "z.hmipbundle", replace={member: bytes(data)})
    refused(bad, team, "damaged .*could not be decrypted")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, 0.999])
def test_truncated_file_is_damage(make_bundle, team, keep) -> None:
    """A bundle cut short (an interrupted copy) is refused as damaged."""
    path = make_bundle()
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    refused(path, team, "damaged")


def test_truncated_member_inside_valid_zip_is_damage(make_bundle, team, kit, out_dir) -> None:
    """A member whose ciphertext lost its tail (re-zipped consistently) is refused."""
    path = make_bundle()
    with zipfile.ZipFile(path) as zf:
        blob = zf.read(BLOB1)
        revisions = zf.read("revisions.age")
    for name, data in ((BLOB1, blob), ("revisions.age", revisions)):
        bad = kit.rewrite_zip(path, out_dir / "t.hmipbundle", replace={name: data[:-100]})
        refused(bad, team, "damaged")


def test_not_a_zip_and_zip_without_header(out_dir, team) -> None:
    """Random bytes or a ZIP of something else is 'not a sync bundle'."""
    junk = out_dir / "junk.hmipbundle"
    junk.write_bytes(b"hello, this is a text file\n" * 100)
    refused(junk, team, "not an inspection sync bundle")
    other = out_dir / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("report.docx", b"x")
    refused(other, team, "not an inspection sync bundle")
    refused(out_dir / "missing.hmipbundle", team, "could not be read")


# --- container rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../x",
        "/etc/passwd",
        "blobs/../../x.age",
        "blobs\\000009.age",
        "C:/x",
        "notes.txt",
        "blobs/000009.age/",
        "blobs/0000009.age",
        "BUNDLE.JSON",
        "blobs/00001\u0661.age",
    ],
)
def test_unexpected_member_names_are_refused(make_bundle, team, kit, out_dir, name) -> None:
    """Any member name outside the whitelist is refused, path-climbing ones included."""
    bad = kit.rewrite_zip(make_bundle(), out_dir / "n.hmipbundle", add=[(name, b"x")])
    refused(bad, team, "unexpected member name")


def test_duplicate_member_names_are_refused(make_bundle, team, kit, out_dir) -> None:
    """Two members with one name (zipfile would silently use the last) are refused."""
    path = make_bundle()
    with zipfile.ZipFile(path) as zf:
        other_blob = zf.read(BLOB2)
    for name, data in ((BLOB1, other_blob), ("bundle.json", b"{}"), ("manifest.age", b"x")):
        bad = kit.rewrite_zip(path, out_dir / "d.hmipbundle", add=[(name, data)])
        refused(bad, team, "repeated")


def test_compressed_member_is_refused_without_inflating(make_bundle, team, kit, out_dir) -> None:
    """A DEFLATE member is refused up front, so a compression bomb is never expanded."""
    path = make_bundle()
    bad = kit.rewrite_zip(path, out_dir / "c.hmipbundle", compress={BLOB1})
    refused(bad, team, "compressed")
    bomb = out_dir / "bomb.hmipbundle"
    with zipfile.ZipFile(bomb, "w") as zout, zipfile.ZipFile(path) as zin:
        for info in zin.infolist():
            if info.filename != BLOB3:
                zout.writestr(zipfile.ZipInfo(info.filename), zin.read(info))
        zout.writestr(
            zipfile.ZipInfo(BLOB3), b"\0" * (64 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED
        )
    assert bomb.stat().st_size < 1024 * 1024
    refused(bomb, team, "compressed")


def test_encrypted_zip_flag_is_refused(make_bundle, team) -> None:
    """A member with the traditional ZIP encryption flag set is refused."""
    path = make_bundle()
    data = bytearray(path.read_bytes())
    # Set bit 0 of the general purpose flags in the central directory entry of blob 1.
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(BLOB1)] != BLOB1.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 8] |= 0x01
    path.write_bytes(bytes(data))
    refused(path, team, "ZIP encryption")


def test_size_and_count_caps(make_bundle, team) -> None:
    """Members over the size cap, too many members, or a big manifest are refused."""
    path = make_bundle()
    refused(path, team, "larger than allowed", limits=BundleLimits(max_member_bytes=1000))
    refused(path, team, "too many members", limits=BundleLimits(max_members=5))
    refused(path, team, "larger than allowed", limits=BundleLimits(max_total_bytes=5000))
    refused(path, team, "larger than allowed", limits=BundleLimits(max_manifest_bytes=500))


# --- signature and trust ----------------------------------------------------------------------


def test_forged_manifest_keeps_old_signature(make_bundle, team, kit, out_dir) -> None:
    """Changing the manifest bytes while keeping the signature is detected."""

    def mutate(m: dict[str, Any]) -> None:
        m["author"]["name"] = "Someone Else"

    bad = kit.reseal_manifest(make_bundle(), out_dir / "f.hmipbundle", team, mutate)
    refused(bad, team, "signature does not match")


def test_swapped_signer_passes_signature_but_fails_roster(make_bundle, team) -> None:
    """A bundle re-signed by an outsider verifies cryptographically but not against the roster."""
    path = make_bundle(signer=team.outsider)
    with BundleReader(path, [team.bob.age_identity]) as reader:
        assert reader.signer == team.outsider.public.signer
        with pytest.raises(BundleError, match="not on your team roster"):
            reader.verify_signer(team.roster())


def test_envelope_signer_must_match_manifest_signer(make_bundle, team, kit, out_dir) -> None:
    """An outsider's valid signature over a manifest naming alice as signer is refused."""
    bad = kit.reseal_manifest(
        make_bundle(), out_dir / "s.hmipbundle", team, lambda m: None, resign_with=team.outsider
    )
    refused(bad, team, "signature does not match")


def test_malformed_envelope_is_damage(make_bundle, team, kit, out_dir) -> None:
    """An envelope that is not the expected JSON is refused as damaged."""
    recipients = [pyrage.x25519.Recipient.from_str(r) for r in team.recipients]
    for plain in (
        b"not json",
        b"[]",
        b'{"manifest":"!!","signature":"","signer":"x"}',
        b"[" * 100_000,
    ):
        sealed = pyrage.encrypt(plain, recipients)
        bad = kit.rewrite_zip(
            make_bundle(), out_dir / "e.hmipbundle", replace={"manifest.age": sealed}
        )
        refused(bad, team, "damaged")


# --- versions ---------------------------------------------------------------------------------


def test_future_format_says_update_the_app(make_bundle, team, kit, out_dir) -> None:
    """A newer format number is a NewerVersionError telling the user to update."""
    header = json.dumps({"magic": "hmip-bundle", "format": 3, "new": True}).encode()
    bad = kit.rewrite_zip(
        make_bundle(),
        out_dir / "v.hmipbundle",
        replace={"bundle.json": header},
        add=[("index.cbor", b"x")],
    )
    refused(bad, team, "Update the app", NewerVersionError)


def test_unknown_magic_is_not_a_bundle(make_bundle, team, kit, out_dir) -> None:
    """A bundle.json with another magic string is not ours."""
    header = json.dumps({"magic": "other-tool", "format": 1}).encode()
    bad = kit.rewrite_zip(make_bundle(), out_dir / "m.hmipbundle", replace={"bundle.json": header})
    refused(bad, team, "not an inspection sync bundle")


def test_newer_payload_schema_is_refused_when_asked(make_bundle, team) -> None:
    """With max_schema set, a bundle from a newer payload schema says to update."""
    refused(make_bundle(schema=9), team, "Update the app", NewerVersionError, max_schema=8)


# --- declared vs present ----------------------------------------------------------------------


def test_missing_declared_blob(make_bundle, team, kit, out_dir) -> None:
    """A blob listed in the manifest but absent from the ZIP is refused."""
    bad = kit.rewrite_zip(make_bundle(), out_dir / "mb.hmipbundle", drop={BLOB2})
    refused(bad, team, "declared attachment is missing")


def test_undeclared_extra_member(make_bundle, team, kit, out_dir) -> None:
    """A whitelisted name that the manifest does not list is refused."""
    bad = kit.rewrite_zip(make_bundle(), out_dir / "x.hmipbundle", add=[("blobs/000099.age", b"x")])
    refused(bad, team, "undeclared member")


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("count", 199, "more lines than declared"),
        ("count", 201, "does not match"),
        ("sha256", "0" * 64, "does not match"),
        ("size", 100, "longer than declared"),
    ],
)
def test_revision_mismatch(make_bundle, team, kit, out_dir, field, value, match) -> None:
    """A signed manifest whose revision count, hash or size is wrong is refused."""

    def mutate(m: dict[str, Any]) -> None:
        m["revisions"][field] = value

    bad = kit.reseal_manifest(
        make_bundle(), out_dir / "r.hmipbundle", team, mutate, resign_with=team.alice
    )
    refused(bad, team, match)


def test_blob_hash_mismatch(make_bundle, team, kit, out_dir) -> None:
    """A blob whose plaintext does not match its signed hash is refused when copied."""

    def mutate(m: dict[str, Any]) -> None:
        m["blobs"][0]["sha256"] = "f" * 64

    bad = kit.reseal_manifest(
        make_bundle(), out_dir / "h.hmipbundle", team, mutate, resign_with=team.alice
    )
    with BundleReader(bad, [team.lead.age_identity]) as reader:
        with pytest.raises(BundleError, match="does not match its checksum"):
            reader.copy_blob_to(BLOB1, io.BytesIO())
        with pytest.raises(BundleError, match="does not match its checksum"):
            with reader.open_blob(BLOB1) as stream:
                stream.read()


def test_swapped_blob_members(make_bundle, team, kit, out_dir) -> None:
    """Validly encrypted blobs put under each other's names fail their hash check."""
    path = make_bundle(blobs=[b"a" * 5000, b"b" * 5000])
    with zipfile.ZipFile(path) as zf:
        one, two = zf.read(BLOB1), zf.read(BLOB2)
    bad = kit.rewrite_zip(path, out_dir / "w.hmipbundle", replace={BLOB1: two, BLOB2: one})
    refused(bad, team, "does not match its checksum")


def test_replaced_blob_encrypted_by_an_outsider(make_bundle, team, kit, out_dir) -> None:
    """A recipient who re-encrypts other content under a blob name is caught by the hash."""
    path = make_bundle()
    recipients = [pyrage.x25519.Recipient.from_str(r) for r in team.recipients]
    fake = pyrage.encrypt(b"x" * len(kit.blobs[0]), recipients)
    bad = kit.rewrite_zip(path, out_dir / "o.hmipbundle", replace={BLOB1: fake})
    refused(bad, team, "does not match its checksum")


def test_blob_not_encrypted_to_reader_is_damage(make_bundle, team, kit, out_dir) -> None:
    """After the manifest opened, a member we cannot decrypt is damage, not 'not for you'."""
    path = make_bundle()
    fake = pyrage.encrypt(
        kit.blobs[1], [pyrage.x25519.Recipient.from_str(team.outsider.public.recipient)]
    )
    bad = kit.rewrite_zip(path, out_dir / "u.hmipbundle", replace={BLOB2: fake})
    refused(bad, team, "damaged")


def test_overlapping_members_are_refused(make_bundle, team) -> None:
    """Two directory entries pointing at the same bytes are refused."""
    path = make_bundle()
    with zipfile.ZipFile(path) as zf:
        first = zf.getinfo(BLOB1).header_offset
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(BLOB2)] != BLOB2.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 42 : central + 46] = first.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    refused(path, team, "overlap")


def test_declared_size_beyond_ciphertext(make_bundle, team, kit, out_dir) -> None:
    """A signed size larger than the member could hold is refused before decrypting."""

    def mutate(m: dict[str, Any]) -> None:
        m["blobs"][1]["size"] = 10**6

    bad = kit.reseal_manifest(
        make_bundle(), out_dir / "sz.hmipbundle", team, mutate, resign_with=team.alice
    )
    refused(bad, team, "shorter than declared")
