"""The disclosure check: find what must not leave the inspection in an exported document.

Looks for prison numbers (one letter, four digits, two letters: A1234BC), the anonymised
subject references recorded on notes, e-mail addresses, UK phone numbers and the names and
terms the team keeps on its list. Each hit says where it is, so the person exporting can fix
the text or choose to redact. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hmip_desktop.domain.report_doc import ReportDocument

REDACTED = "[redacted]"

PRISON_NUMBER = re.compile(r"\b[A-Z]\d{4}[A-Z]{2}\b", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# UK numbers: 0 or +44 then 9–10 more digits, spaces, dots or dashes allowed between groups.
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s.-]?\d){8,9}(?!\w)")

KIND_LABELS = {
    "prison_number": "prison number",
    "subject_ref": "subject reference",
    "email": "e-mail address",
    "phone": "phone number",
    "term": "name or term on the list",
}


@dataclass(frozen=True)
class Hit:
    """One match: what kind, the matched text, and where in the document it is."""

    kind: str
    text: str
    where: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def describe(self) -> str:
        """'Safety › Early days: prison number "A1234BC"' (for the person exporting only)."""
        return f'{self.where}: {self.kind_label} "{self.text}"'


class DisclosureRules:
    """The patterns for one inspection: built-in ones plus its subject refs and terms."""

    def __init__(self, subject_refs: Iterable[str] = (), terms: Iterable[str] = ()) -> None:
        self._patterns: list[tuple[str, re.Pattern[str]]] = [
            ("prison_number", PRISON_NUMBER), ("email", EMAIL), ("phone", PHONE)]
        for kind, words in (("subject_ref", subject_refs), ("term", terms)):
            cleaned = sorted({w.strip() for w in words if w and w.strip()}, key=len,
                             reverse=True)
            if cleaned:
                # Longest first, whole words only, so "Ann" does not fire inside "Annexe".
                alternation = "|".join(re.escape(w) for w in cleaned)
                self._patterns.append(
                    (kind, re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)))

    def find(self, where: str, text: str) -> list[Hit]:
        """Every hit in one piece of text."""
        hits, taken = [], []
        for kind, pattern in self._patterns:
            for m in pattern.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                hits.append(Hit(kind, m.group(0), where))
        return hits

    def redact(self, text: str) -> str:
        """The text with every hit replaced by [redacted]."""
        for _kind, pattern in self._patterns:
            text = pattern.sub(REDACTED, text)
        return text


def _no_cancel() -> None:
    return None


def check(doc: ReportDocument, rules: DisclosureRules,
          cancel_check: Callable[[], None] = _no_cancel) -> list[Hit]:
    """Every hit in every piece of text the document contains; `cancel_check` (raising
    Cancelled) runs before each piece, so a cancelled export stops here too."""
    hits: list[Hit] = []
    for where, text in doc.located_texts():
        cancel_check()
        hits.extend(rules.find(where, text))
    return hits


def redact(doc: ReportDocument, rules: DisclosureRules,
           cancel_check: Callable[[], None] = _no_cancel) -> ReportDocument:
    """The same document with every hit replaced (`cancel_check` as for `check`)."""
    def one(text: str) -> str:
        cancel_check()
        return rules.redact(text)

    return doc.map_text(one)
