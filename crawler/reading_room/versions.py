"""What an edit changed in an article, sentence by sentence, for a person to read.

A school that edits a published report usually changes a name, a figure or a sentence; a
character diff of the whole text is unreadable and a paragraph diff hides the change. The
text is cut into sentences (。！？； and line ends) and the sentences are compared.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")
CONTEXT = 1  # unchanged sentences shown either side of a change


@dataclass(frozen=True)
class Change:
    kind: str  # "same" (context), "removed", "added", "gap" (unchanged sentences left out)
    text: str


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def changes(old: str, new: str) -> list[Change]:
    """The changed sentences of ``old`` -> ``new``, with a sentence of context either side."""
    before, after = sentences(old), sentences(new)
    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        if out:
            out.append(Change("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [Change("same", s) for s in before[i1:i2]]
                continue
            out += [Change("removed", s) for s in before[i1:i2]]
            out += [Change("added", s) for s in after[j1:j2]]
    return out
