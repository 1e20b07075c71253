"""Text as XML 1.0 can carry it: the one rule the DOCX and XLSX writers share."""

from __future__ import annotations

import re

# XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/U+FFFF: python-docx and lxml
# raise on them, and a file that held one would not open. Tab, line feed and carriage
# return are allowed.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot carry."""
    return _INVALID_XML.sub("", text)
