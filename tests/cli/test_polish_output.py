"""Small wording and layout fixes in ordinary command-line use (a team of three, in-process)."""

from __future__ import annotations

import pytest

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
