"""Small wording and layout fixes in ordinary command-line use (a team of three, in-process)."""

from __future__ import annotations

import json

import pytest

from hmip_desktop.cli.main import main
from tests.security.helpers import runner


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Lena leads; Ann (inspector) and Ben (health and social care inspector) have joined."""
    root = tmp_path_factory.mktemp("team")
    lead, ann, ben = (runner(root, n) for n in ("lead", "ann", "ben"))
    lead("identity", "set", "--name", "Lena Leader", "--role", "team_leader")
    ann("identity", "set", "--name", "Ann Inspector", "--role", "inspector")
    ben("identity", "set", "--name", "Ben Health", "--role", "health_social_care_inspector")
    ann("identity", "export", "--out", "ann.card")
    ben("identity", "export", "--out", "ben.card")
    lead("new", "lead.hmip", "--establishment", "HMP Example", "--type", "mens_prison",
         "--start", "2026-11-16", "--end", "2026-11-27")
    lead("team", "add", "lead.hmip", "ann.card", "ben.card")
    lead("team", "invite", "lead.hmip", "--out", "team.invite")
    ann("join", "team.invite", "--out", "ann.hmip")
    ben("join", "team.invite", "--out", "ben.hmip")
    return root, lead, ann, ben


def test_team_list_columns_fit_the_longest_role(team) -> None:  # type: ignore[no-untyped-def]
    _, lead, _, _ = team
    lines = lead("team", "list", "lead.hmip").stdout.splitlines()
    ben = next(line for line in lines if "Ben Health" in line)
    lena = next(line for line in lines if "Lena Leader" in line)
    assert "Health and social care inspector  Ben Health" in ben
    assert ben.index("Ben Health") == lena.index("Lena Leader")
    assert all(line == line.rstrip() for line in lines)


def test_info_counts_use_the_words_a_person_reads(team) -> None:  # type: ignore[no-untyped-def]
    _, lead, _, _ = team
    lead("npp", "add", "lead.hmip", "--title", "Peer mentors", "--body", "Good work.")
    line = next(x for x in lead("info", "lead.hmip").stdout.splitlines()
                if x.startswith("Counts:"))
    assert "1 notable positive practice" in line and "3 team members" in line, line
    assert "0 data extracts" in line and "npp" not in line and "team_member" not in line
    counts = json.loads(lead("info", "lead.hmip", "--json").stdout)["counts"]
    assert counts["npp"] == 1 and counts["team_member"] == 3 and "extract" in counts


def test_score_list_says_what_the_star_means(team) -> None:  # type: ignore[no-untyped-def]
    _, lead, _, _ = team
    lead("score", "set", "lead.hmip", "--test", "respect", "--score", "3",
         "--rationale", "Mostly good.")
    lead("score", "set", "lead.hmip", "--test", "respect", "--score", "2", "--agreed",
         "--rationale", "Agreed at the meeting.")
    out = lead("score", "list", "lead.hmip").stdout
    assert "  * provisional  Lena Leader" in out
    assert "* differs from the agreed score" in out


def test_counts_of_one_are_singular(team) -> None:  # type: ignore[no-untyped-def]
    """'1 new change', never '1 new changes' or '1 change(s)'."""
    _, lead, ann, _ = team
    ann("bundle", "export", "ann.hmip", "--out", "ann-0.hmipbundle")
    ann("npp", "add", "ann.hmip", "--title", "Library", "--body", "Well used.")
    ann("bundle", "export", "ann.hmip", "--out", "ann-1.hmipbundle")
    lead("bundle", "import", "lead.hmip", "ann-0.hmipbundle")
    out = lead("bundle", "import", "lead.hmip", "ann-1.hmipbundle").stdout
    assert "— 1 new change, 0 new attachments" in out, out
    info = ann("info", "ann.hmip").stdout
    assert "Not exported:    0 changes" in info, info
    assert "(s)" not in out + info


def test_conflicts_name_the_bundle_sender_when_not_the_author(team) -> None:  # type: ignore[no-untyped-def]
    _, lead, ann, ben = team
    npp_id = ann("npp", "add", "ann.hmip", "--title", "Gym", "--body", "Open daily.").stdout.strip()
    ann("bundle", "export", "ann.hmip", "--out", "ann-2.hmipbundle")
    lead("bundle", "import", "lead.hmip", "ann-2.hmipbundle")
    ann("npp", "edit", "ann.hmip", npp_id, "--body", "Open every day.")
    lead("npp", "edit", "lead.hmip", npp_id, "--body", "Open on weekdays.")
    ann("bundle", "export", "ann.hmip", "--out", "ann-3.hmipbundle")
    lead("bundle", "import", "lead.hmip", "ann-3.hmipbundle")
    listed = lead("conflicts", "lead.hmip").stdout
    assert "Ann Inspector, from their own bundle …" in listed, listed
    assert "Lena Leader, written on this device" in listed and "bundle of" not in listed
    lead("bundle", "export", "lead.hmip", "--out", "lead-1.hmipbundle")
    ben("bundle", "import", "ben.hmip", "lead-1.hmipbundle")
    relayed = ben("conflicts", "ben.hmip").stdout
    assert "Ann Inspector, relayed in Lena Leader's bundle …" in relayed, relayed
    assert "Lena Leader, from their own bundle …" in relayed


def test_note_authors_join_the_team_list(team, capsys) -> None:  # type: ignore[no-untyped-def]
    """A script joins 'note list --json' to 'team list --json' on author_id, as the help
    says."""
    _, lead, ann, _ = team
    ann("note", "add", "ann.hmip", "--source", "observation", "--title", "Kitchen",
        "--body", "Clean.")
    ann("bundle", "export", "ann.hmip", "--out", "ann-4.hmipbundle")
    lead("bundle", "import", "lead.hmip", "ann-4.hmipbundle")
    members = json.loads(lead("team", "list", "lead.hmip", "--json").stdout)["members"]
    names = {m["author_id"]: m["name"] for m in members}
    notes = json.loads(lead("note", "list", "lead.hmip", "--json").stdout)
    assert [names[n["author_id"]] for n in notes if n["title"] == "Kitchen"] == ["Ann Inspector"]
    for command in (("team", "list"), ("note", "list")):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "author_id" in text and "list --json" in text, command


def test_importing_an_extract_again_is_said(team) -> None:  # type: ignore[no-untyped-def]
    """Allowed (a re-import may be wanted), but never silent."""
    root, lead, _, _ = team
    (root / "force.csv").write_text("Date,Wing\n2026-05-01,A\n2026-05-02,B\n", encoding="utf-8")
    first = lead("extract", "import", "lead.hmip", "force.csv", "--name", "Use of force")
    assert first.stderr == ""
    again = lead("extract", "import", "lead.hmip", "force.csv", "--name", "Force again")
    assert ("an extract with the same content was already imported as 'Use of force' on "
            in again.stderr), again.stderr
    assert f"imported again as 'Force again' ({again.stdout.strip()})" in again.stderr
    assert len(json.loads(lead("extract", "list", "lead.hmip", "--json").stdout)) == 2


@pytest.mark.parametrize("cell", ["\x00" * 1000, "x" * 1000, "ref\x1b[2J\u202e"])
def test_previous_import_echoes_a_heading_short_and_clean(team, cell) -> None:  # type: ignore[no-untyped-def]
    root, lead, _, _ = team
    (root / "prev.csv").write_text(f"ref,title,text,{cell}\nR1,T,Text,x\n", encoding="utf-8")
    refused = lead("previous", "import", "lead.hmip", "prev.csv", check=False)
    assert refused.returncode == 2 and "Unknown column" in refused.stderr, refused.stderr
    assert len(refused.stderr) < 300, len(refused.stderr)
    assert not any(ch in refused.stderr for ch in "\x00\x1b\u202e")


def test_conflicts_show_changed_fields_in_words(team) -> None:  # type: ignore[no-untyped-def]
    """The same words as the conflict cards: "Interpreter used: Yes", not
    "interpreter_used: True"; an emptied field reads "(empty)"; long text is one short line."""
    _, lead, ann, _ = team
    note = ann("note", "add", "ann.hmip", "--source", "observation", "--title", "Night visit",
               "--body", "Quiet.", "--where", "B wing").stdout.strip()
    ann("bundle", "export", "ann.hmip", "--out", "ann-5.hmipbundle")
    lead("bundle", "import", "lead.hmip", "ann-5.hmipbundle")
    ann("note", "edit", "ann.hmip", note, "--interpreter", "--body", "Calm. " * 40)
    lead("note", "edit", "lead.hmip", note, "--where", "")
    ann("bundle", "export", "ann.hmip", "--out", "ann-6.hmipbundle")
    lead("bundle", "import", "lead.hmip", "ann-6.hmipbundle")
    listed = lead("conflicts", "lead.hmip").stdout
    block = listed[listed.index(note):]
    lines = [line.strip() for line in block.splitlines()]
    assert "Interpreter used: Yes" in lines and "Where: (empty)" in lines, block
    body = next(line for line in lines if line.startswith("Note text: "))
    assert body.endswith("…") and len(body) <= len("Note text: ") + 60, body
    for raw in ("interpreter_used", "True", "location", "changed: body"):
        assert raw not in block, raw
