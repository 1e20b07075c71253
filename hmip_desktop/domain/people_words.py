"""The words for the people an establishment holds: prisoners, children or detainees.

HMIP's own documents name the people held after the kind of establishment (hmip-method.md
sections 1.2 and 3), so the words are data: each entry of
resources/frameworks/establishment_types.json may carry a "people" object, and everything that
names the people held (the evidence source kind "Prisoner interview", the Urgent Notification
criterion "How vulnerable the prisoners are") reads them from there. A type without one (older
data, a type from another file) reads the neutral default. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from hmip_desktop.domain.errors import ValidationError, plain_text

# A noun ("prisoner", "person held") and the interview label built from it are short, one-line
# words shown in a table column and a combo box: longer text is a mistake in the file.
NOUN_LIMIT = 40
LABEL_LIMIT = 60
PEOPLE_FIELDS = ("one", "many", "interview")

# Placeholders a data file's text may use for the words (urgent_notification.json criteria).
MANY_PLACEHOLDER = "{people}"
ONE_PLACEHOLDER = "{person}"


class PeopleWords(NamedTuple):
    """The people held, as one ("prisoner") and many ("prisoners"), and the label of the
    `prisoner_interview` source kind ("Prisoner interview"). (A named tuple, not a dataclass:
    the notes list names its source kinds on a start's first screen, issue 11.)"""

    one: str
    many: str
    interview: str

    def to_dict(self) -> dict[str, str]:
        """The JSON shape of a type's "people" object."""
        return {"one": self.one, "many": self.many, "interview": self.interview}


# Neutral words for a type whose entry names none: true of every establishment, and reads as
# plain English in a source column and in "How vulnerable the people held are".
DEFAULT_PEOPLE = PeopleWords("person held", "people held", "Interview with a person held")


def interview_label(one: str) -> str:
    """'Interview with a resident' for a noun given without its own interview label."""
    article = "an" if one[:1].lower() in "aeiou" else "a"
    return f"Interview with {article} {one}"


def _word(data: Mapping[str, Any], key: str, limit: int, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{path}.{key}: expected text")
    text = " ".join(value.split())
    if not text or text != value or plain_text(text) != text:
        raise ValidationError(f"{path}.{key}: expected words on one line, without control "
                              f"characters or extra spaces")
    if len(text) > limit:
        raise ValidationError(f"{path}.{key}: longer than {limit} characters")
    return text


def parse_people(data: Any, path: str = "$.people") -> PeopleWords:
    """A type's "people" object (absent or null: the default words). "one" and "many" go
    together; "interview" is optional and built from "one" when missing. A fault names its
    JSON path and the limit it breaks."""
    if data is None:
        return DEFAULT_PEOPLE
    if not isinstance(data, Mapping):
        raise ValidationError(f"{path}: expected an object")
    unknown = sorted(str(k)[:NOUN_LIMIT] for k in data if k not in PEOPLE_FIELDS)
    if unknown:
        raise ValidationError(f"{path}: unknown field {plain_text(unknown[0])!r}; the fields "
                              f"are {', '.join(PEOPLE_FIELDS)}")
    one = _word(data, "one", NOUN_LIMIT, path)
    many = _word(data, "many", NOUN_LIMIT, path)
    if one is None or many is None:
        raise ValidationError(f"{path}: needs both 'one' and 'many'")
    # A built label is at most 18 + NOUN_LIMIT characters: within LABEL_LIMIT.
    interview = _word(data, "interview", LABEL_LIMIT, path) or interview_label(one)
    return PeopleWords(one, many, interview)


def fill_people(text: str, words: PeopleWords) -> str:
    """`text` with {people} and {person} replaced by the words (plain replacement: any other
    brace in a data file's text stays as written)."""
    return text.replace(MANY_PLACEHOLDER, words.many).replace(ONE_PLACEHOLDER, words.one)
