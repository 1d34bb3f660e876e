"""People's names folded for staff search by name prefix (docs/decisions.md 63).

A name and what staff type are folded the same way: case folded, accents and other marks dropped
("Zoë" is "zoe", "Łukasz" is "lukasz"), apostrophes dropped inside a word ("O'Brien" is "obrien"),
and anything else that is not a letter (spaces, hyphens, dots) separates words ("Smith-Jones" is
"smith" and "jones"). A patient is found by the start of any word of their name of two letters or
more (the look-up items are keyed by a word's first two letters), the first ``INDEXED_WORDS_MAX``
distinct ones.
"""

from __future__ import annotations

import unicodedata

PREFIX_LETTERS = 2  # a look-up partition: the first two folded letters of a word
INDEXED_WORDS_MAX = 6  # words of one name with a look-up item (a name rarely has more than four)
QUERY_MIN, QUERY_MAX = 2, 64

# Letters a search may hold: Latin with its accented forms (Latin-1, Extended-A and B, Extended
# Additional), each folding to one letter or more; plus space, hyphen and apostrophes. At least
# two letters in a row, so the search has a word that names a look-up partition. Explicit ranges,
# read alike by Python's re, pydantic's regex engine and JSON Schema's.
_LETTER = "A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u1E00-\\u1EFF"
_OTHER = " '\\u2019-"
QUERY_PATTERN = f"^[{_LETTER}{_OTHER}]*[{_LETTER}]{{2}}[{_LETTER}{_OTHER}]*$"

_APOSTROPHES = frozenset("'\u2019\u02bc\u2018`\u00b4\u00b7")  # and the middle dot of Catalan "l·l"
# Letters of names with no decomposition to a base letter (Danish, Norwegian, Polish, Croatian,
# Icelandic, Maltese, Turkish, Vietnamese, Old English ligatures); any other letter stays itself.
_BASE = {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŀ": "l", "ħ": "h", "ŧ": "t", "\u0131": "i", "æ": "ae",
         "œ": "oe", "þ": "th", "ŋ": "n", "\u017f": "s", "ß": "ss", "ƀ": "b", "ɨ": "i", "ƶ": "z", "ȥ": "z"}


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (repeats kept)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    word: list[str] = []
    for char in folded:
        if unicodedata.combining(char) or char in _APOSTROPHES:
            continue
        if char.isalpha():
            word.append(_BASE.get(char, char))
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def fold(text: str) -> str:
    """The folded name, words separated by one space ("" when it has no letters)."""
    return " ".join(words(text))


def indexed_words(folded: str) -> list[str]:
    """The words of a folded name that get a look-up item: distinct, of two letters or more, the
    first ``INDEXED_WORDS_MAX``."""
    out: list[str] = []
    for word in folded.split():
        if len(word) >= PREFIX_LETTERS and word not in out:
            out.append(word)
    return out[:INDEXED_WORDS_MAX]


def shared_start(word: str, earlier: list[str]) -> int:
    """How many first letters ``word`` shares at most with a word of ``earlier``: a search for a
    start no longer than that finds this person through the earlier word already."""
    best = 0
    for other in earlier:
        n = 0
        for a, b in zip(word, other, strict=False):
            if a != b:
                break
            n += 1
        best = max(best, n)
    return best
