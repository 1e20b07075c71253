"""The team view's agreed-score form is disabled, with a reason, for anyone but the leader."""

from __future__ import annotations

from hmip_desktop.services.walkthrough_snapshot import SectionChoice, walkthrough_section
from hmip_desktop.ui.scoring.walkthrough_judgement import TeamStep
from tests.sync.conftest import TeamKit, acting
from tests.sync.test_leader_only_agreed import _scored_team


def test_agreed_score_form_only_for_the_leader(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    kit = TeamKit(tmp_path / "team")
    try:
        lead, alice = _scored_team(kit, "lead", "alice")
        section = SectionChoice("safety", "Safety", True)
        for dev, allowed in ((lead, True), (alice, False)):
            step = TeamStep()
            qtbot.addWidget(step)
            with acting(dev):
                step.show_snapshot(walkthrough_section(dev.store, section, None))
            assert step.form.isEnabled() is allowed
            assert ("Only the team leader" in step.agreed_label.text()) is not allowed
    finally:
        kit.close()
