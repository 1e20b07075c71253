"""The Overview's other Save buttons take part in the question before leaving: the nation
and notice, and the education judgement; a reload (a merge arriving) keeps what the person
chose and has not saved."""

from __future__ import annotations

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.inspections import facts, open_inspection
from hmip_desktop.services.lifecycle import LifecycleService
from hmip_desktop.ui.unsaved import QUIT, SAVE
from tests.gui.keyboard import make_store


def test_nation_notice_and_education_are_asked_about_and_saved(window, tmp_path,  # type: ignore[no-untyped-def]
                                                              unsaved_questions) -> None:
    store = make_store(tmp_path)
    path = store.path
    window._set_store(store)
    page = window.show_page("Overview")
    page.reload()
    lifecycle, education = page.lifecycle, page.education
    announced = not lifecycle.announced.isChecked()
    lifecycle.announced.setChecked(announced)
    grade = education.grade.itemData(1)
    education.grade.setCurrentIndex(1)
    # A merge arrives: the panels read the file again, and keep the choices on screen.
    window.ctx.signals.changes_applied.emit(ChangeSet.all())
    assert lifecycle.announced.isChecked() == announced
    assert education.grade.currentData() == grade
    unsaved_questions.answers = [SAVE]
    assert window.close()
    assert unsaved_questions.asked == [(QUIT.question, ["the nation and notice",
                                                        "the education judgement"])]
    with open_inspection(path) as again:
        stored = facts(again)
        education_grade = LifecycleService(again).education().grade
    assert stored.announced == announced and education_grade == grade
