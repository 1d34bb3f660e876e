"""Names folded for staff search (clinic.names): what a person types and what a name holds fold the
same way, every search the API's pattern accepts has a word that names a look-up partition, and
the pattern means the same to Python's re and to pydantic's regex engine (what the OpenAPI says
is what the server enforces)."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from clinic import names
from clinic.repositories import patient_names_table

LETTER_RANGES = [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x24F), (0x1E00, 0x1EFF)]
LETTERS = [chr(cp) for lo, hi in LETTER_RANGES for cp in range(lo, hi + 1)]
SEARCH = TypeAdapter(Annotated[str, StringConstraints(min_length=names.QUERY_MIN, max_length=names.QUERY_MAX,
                                                      pattern=names.QUERY_PATTERN)])


@pytest.mark.parametrize(("text", "words"), [
    ("Ava Patel", ["ava", "patel"]),
    ("ZOË Ó'Brien-Smith", ["zoe", "obrien", "smith"]),
    ("D\u2019Angelo", ["dangelo"]),
    ("Øyvind Łukasz Þór", ["oyvind", "lukasz", "thor"]),
    ("Nguyễn Thị Minh Khai", ["nguyen", "thi", "minh", "khai"]),
    ("Straße", ["strasse"]),
    ("İlker", ["ilker"]),
    ("  J. R. R.  Tolkien ", ["j", "r", "r", "tolkien"]),
    ("'--'", []),
])
def test_names_fold_to_words_without_case_accents_or_apostrophes(text, words):
    assert names.words(text) == words


def test_every_letter_a_search_may_hold_folds_to_letters_inside_a_word():
    for letter in LETTERS:
        (word,) = names.words(f"a{letter}a")  # no letter splits a word ("Ŀ" is "L" and a middle dot)
        assert word.isalpha() and len(word) >= 3, hex(ord(letter))


def test_the_indexed_words_are_distinct_long_enough_and_few():
    assert names.indexed_words("j r r tolkien tolkien") == ["tolkien"]
    assert names.indexed_words("a bb cc dd ee ff gg hh") == ["bb", "cc", "dd", "ee", "ff", "gg"]


def test_a_word_sharing_its_start_with_an_earlier_one_says_how_far():
    items = {i["entry"].split("#")[0]: i for i in patient_names_table.items_for("u1", "pat patterson patel")}
    # "pa" and "pat" find the person through "pat", the first of the three in a Query's order;
    # "pate" and "patt" only through their own word.
    assert "shadow" not in items["pat"]
    assert items["patel"]["shadow"] == items["patterson"]["shadow"] == 3
    assert {i["prefix"] for i in items.values()} == {"pa"} and items["pat"]["words"] == " pat patterson patel"


@given(st.from_regex(names.QUERY_PATTERN, fullmatch=True).filter(lambda s: 2 <= len(s) <= 64))
def test_every_accepted_search_has_a_word_of_two_letters(text):
    SEARCH.validate_python(text)
    assert any(len(word) >= names.PREFIX_LETTERS for word in names.words(text))


@given(st.text(alphabet=st.sampled_from([*LETTERS[::7], " ", "'", "\u2019", "-", "_", "%", "@", "1", ".", "\u0301",
                                         "\u00d7", "\u0250", "\u4e2d", "\u00e9"]), min_size=2, max_size=12))
def test_the_pattern_means_the_same_to_python_and_to_pydantic(text):
    accepted_by_re = re.fullmatch(names.QUERY_PATTERN, text) is not None
    try:
        SEARCH.validate_python(text)
        accepted_by_pydantic = True
    except ValidationError:
        accepted_by_pydantic = False
    assert accepted_by_re == accepted_by_pydantic
