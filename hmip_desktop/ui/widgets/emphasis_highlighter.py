"""Shows **bold** and *italic* markers in note bodies as emphasis.

Note bodies are plain text with light Markdown markers, so that passage offsets are the same
in the GUI, the command line, search and reports (a rich-text document would shift them).
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)")


class EmphasisHighlighter(QSyntaxHighlighter):
    """Bold/italic rendering with dimmed markers."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._bold = QTextCharFormat()
        self._bold.setFontWeight(QFont.Weight.Bold)
        self._italic = QTextCharFormat()
        self._italic.setFontItalic(True)
        self._marker = QTextCharFormat()
        self._marker.setForeground(QColor("#999999"))

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        """Format one paragraph."""
        for pattern, fmt, width in ((BOLD, self._bold, 2), (ITALIC, self._italic, 1)):
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)
                self.setFormat(m.start(), width, self._marker)
                self.setFormat(m.end() - width, width, self._marker)
