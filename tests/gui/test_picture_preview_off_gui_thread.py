"""A picture document is decoded on the DB lane, not the GUI thread: a 48-megapixel photo
takes most of a second to decode, and selecting it must not freeze the window."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtGui import QColor, QImage, QImageReader, QPixmap

from hmip_desktop.services.documents import DocumentService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.evidence.document_preview import MAX_PICTURE_WIDTH
from hmip_desktop.ui.evidence.documents_panel import DocumentsPanel
from hmip_desktop.ui.tasks import TaskRunner


def test_selecting_a_big_picture_decodes_it_off_the_gui_thread(qtbot, store, tmp_path: Path,
                                                               monkeypatch) -> None:
    photo = tmp_path / "wing.png"
    image = QImage(MAX_PICTURE_WIDTH * 2, 300, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 90, 160))
    assert image.save(str(photo))
    [doc] = DocumentService(store).import_files([photo])
    decoded_on: list[bool] = []  # True for each decode made on the GUI thread

    def spy(cls: type, name: str) -> None:
        real = getattr(cls, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            decoded_on.append(threading.current_thread() is threading.main_thread())
            return real(*args, **kwargs)

        monkeypatch.setattr(cls, name, wrapper)

    for cls, name in ((QPixmap, "loadFromData"), (QImage, "loadFromData"),
                      (QImage, "fromData"), (QImageReader, "read")):
        spy(cls, name)
    ctx = UiContext(tasks=TaskRunner())
    ctx.store = store
    panel = DocumentsPanel(ctx)
    qtbot.addWidget(panel)
    try:
        panel.show_document(doc.id)
        qtbot.waitUntil(lambda: not panel.preview.rendered_image().isNull(), timeout=20_000)
    finally:
        ctx.tasks.shutdown()
    shown = panel.preview.rendered_image()
    assert (shown.width(), shown.height()) == (MAX_PICTURE_WIDTH, 150)  # shrunk on the lane
    assert decoded_on and not any(decoded_on)
