"""In-app preview of a document: text pages, pictures and rendered PDF pages.

The decrypted bytes stay in memory: a PDF is read by QPdfDocument from a QBuffer over them,
a picture is decoded from them (on the DB lane: `decode_picture`); nothing is written to disk
or handed to another program.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QPainter, QPixmap, QTextCursor
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.mime import MIME_PDF, MIME_XLSX
from hmip_desktop.services.documents import DocumentView

MIN_PAGE_WIDTH = 600  # pixels: a page narrower than this is hard to read
MAX_PDF_ZOOM = 3.0  # pixels per PDF point, so a tiny page does not become a huge image
MAX_PICTURE_WIDTH = 1600


def decode_picture(data: bytes | None) -> QImage:
    """The picture in `data`, at most MAX_PICTURE_WIDTH wide; a null image when it is none.

    Called on the DB lane, never the GUI thread: a 48-megapixel photo takes most of a second
    to decode, and a QImage (unlike a QPixmap) may be made on any thread. A JPEG is decoded
    straight at the smaller size, which is several times faster than decoding it whole.
    """
    if not data:
        return QImage()
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    wide = size.isValid() and size.width() > MAX_PICTURE_WIDTH
    if wide and bytes(reader.format().data()) == b"jpeg":  # (Qt's PNG reader scales slowly)
        reader.setScaledSize(QSize(MAX_PICTURE_WIDTH,
                                   max(1, round(size.height() * MAX_PICTURE_WIDTH
                                                / size.width()))))
    image = reader.read()
    buffer.close()
    if image.width() > MAX_PICTURE_WIDTH:
        image = image.scaledToWidth(MAX_PICTURE_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return image


def _on_paper(image: QImage) -> QPixmap:
    """A rendered page over white (pdfium leaves an unpainted page transparent)."""
    paper = QPixmap(image.size())
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper


class DocumentPreview(QWidget):
    """A page selector over a text view, a picture view and a message."""

    page_changed = Signal(int)  # 1-based

    def __init__(self) -> None:
        super().__init__()
        self.document: DocumentView | None = None
        self._texts: list[str] = []
        self._pdf = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self._bytes: QByteArray | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.title = QLabel("")
        self.title.setAccessibleName("Previewed document")
        self.title.setWordWrap(True)
        self.page_word = QLabel("&Page")
        self.page = QSpinBox()
        self.page.setAccessibleName("Page")
        self.page.setMinimum(1)
        self.page.setKeyboardTracking(False)
        self.page_word.setBuddy(self.page)
        self.page_total = QLabel("")
        # Alt+V: every letter of "Show text" is taken beside it, on the Documents tab or on
        # the Reports page ("Report &text").
        self.show_text = QCheckBox("&View as text")
        self.show_text.setAccessibleName("Show the extracted text instead of the page")
        top.addWidget(self.title, 1)
        for w in (self.page_word, self.page, self.page_total, self.show_text):
            top.addWidget(w)
        layout.addLayout(top)
        self.stack = QStackedWidget()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Document text")
        self.text.setTabChangesFocus(True)
        self.text.setAcceptDrops(False)  # dropped files go to the Documents tab, not the text
        self.picture = QLabel()
        self.picture.setAccessibleName("Document page picture")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture_scroll = QScrollArea()
        self.picture_scroll.setWidget(self.picture)
        self.picture_scroll.setWidgetResizable(True)
        self.message = QLabel("Choose a document to preview it.")
        self.message.setAccessibleName("Preview message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for page_view in (self.text, self.picture_scroll, self.message):
            self.stack.addWidget(page_view)
        layout.addWidget(self.stack, 1)
        self.page.valueChanged.connect(self._on_page_value_changed)
        self.show_text.toggled.connect(self._on_show_text_toggled)
        self._set_paging(0)

    # -- content -----------------------------------------------------------------------------
    def clear(self, message: str = "Choose a document to preview it.") -> None:
        """Show a message instead of a document, and drop the decrypted bytes."""
        self.document = None
        self._texts = []
        self._close_pdf()
        self.picture.clear()
        self.text.clear()
        self.title.setText("")
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)
        self._set_paging(0)

    def show_document(self, view: DocumentView, texts: list[str],
                      data: bytes | QImage | None) -> None:
        """Show a document: its text pages, plus its bytes for a PDF, or for a picture the
        image `decode_picture` made of them off the GUI thread (bytes are decoded here)."""
        self.clear()
        self.document = view
        self._texts = list(texts)
        self.title.setText(f"<b>{html.escape(view.title)}</b> — {html.escape(view.filename)}")
        if view.is_image:
            self._show_picture(data)
            return
        if view.mime == MIME_PDF and data is not None:
            self._open_pdf(data)
        pages = self._pdf.pageCount() if self.is_pdf else len(self._texts)
        self.page_word.setText("&Sheet" if view.mime == MIME_XLSX else "&Page")
        self._set_paging(max(pages, len(self._texts)))
        self.show_text.setVisible(self.is_pdf)
        self._show_page()

    @property
    def is_pdf(self) -> bool:
        """True while a PDF is loaded."""
        return self._pdf.status() == QPdfDocument.Status.Ready

    @property
    def page_count(self) -> int:
        """Pages (or sheets) of the shown document."""
        return self.page.maximum() if self.page.isEnabled() else 0

    def current_page(self) -> int | None:
        """The 1-based page shown (None for a picture or no document)."""
        return self.page.value() if self.page_count else None

    def set_page(self, number: int) -> None:
        """Go to a 1-based page."""
        if self.page_count:
            self.page.setValue(min(max(number, 1), self.page_count))

    def select_text(self, page: int, offset: int | None, length: int = 0) -> None:
        """Show a page's text with a passage selected (search hits jump here)."""
        self.set_page(page)
        if self.is_pdf:
            self.show_text.setChecked(True)
        self._show_page()
        if offset is None:
            return
        cursor = self.text.textCursor()
        size = len(self.text.toPlainText())
        cursor.setPosition(min(offset, size))
        cursor.setPosition(min(offset + max(length, 0), size), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.centerCursor()

    def rendered_image(self) -> QImage:
        """The picture or PDF page on screen (null when showing text)."""
        pixmap = self.picture.pixmap()
        return pixmap.toImage() if pixmap is not None and not pixmap.isNull() else QImage()

    # -- internals ---------------------------------------------------------------------------
    def _set_paging(self, pages: int) -> None:
        self.page.blockSignals(True)
        self.page.setMaximum(max(pages, 1))
        self.page.setValue(1)
        self.page.blockSignals(False)
        self.page.setEnabled(pages > 0)
        for w in (self.page_word, self.page, self.page_total):
            w.setVisible(pages > 0)
        self.page_total.setText(f"of {pages}")
        self.show_text.setVisible(False)

    def _show_picture(self, data: bytes | QImage | None) -> None:
        image = data if isinstance(data, QImage) else decode_picture(data)
        if image.isNull():
            self.message.setText("This picture cannot be shown (its content is not a picture "
                                 "this app can draw).")
            self.stack.setCurrentWidget(self.message)
            return
        self.picture.setPixmap(QPixmap.fromImage(image))
        self.stack.setCurrentWidget(self.picture_scroll)

    def _open_pdf(self, data: bytes) -> None:
        # The buffer and its byte array must outlive the QPdfDocument reading from them.
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self)
        self._buffer.setData(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._pdf.load(self._buffer)

    def _close_pdf(self) -> None:
        self._pdf.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())
            self._buffer.deleteLater()
        self._buffer = None
        self._bytes = None

    def _show_page(self) -> None:
        if self.document is None or self.document.is_image:
            return
        number = self.page.value()
        if self.is_pdf and not self.show_text.isChecked():
            size = self._pdf.pagePointSize(number - 1)
            # Fit the page to the width of the view (scroll down to read the rest of it).
            scroll = self.picture_scroll
            width = max(scroll.width() - scroll.verticalScrollBar().sizeHint().width() - 24,
                        MIN_PAGE_WIDTH)
            zoom = min(width / max(size.width(), 1.0), MAX_PDF_ZOOM)
            image = self._pdf.render(number - 1, QSize(int(size.width() * zoom),
                                                       int(size.height() * zoom)))
            if not image.isNull():
                self.picture.setPixmap(_on_paper(image))
                self.stack.setCurrentWidget(self.picture_scroll)
                return
        if not self._texts:
            self.message.setText("This document has no text to show.")
            self.stack.setCurrentWidget(self.message)
            return
        text = self._texts[number - 1] if number - 1 < len(self._texts) else ""
        self.picture.clear()
        self.text.setPlainText(text or "(this page has no text)")
        self.stack.setCurrentWidget(self.text)

    def _on_page_value_changed(self, number: int) -> None:
        self._show_page()
        self.page_changed.emit(number)

    def _on_show_text_toggled(self, _checked: bool) -> None:
        self._show_page()
