"""The checking logic of every question type: validation, normalisation, partial credit."""

from __future__ import annotations

import pytest

from nkhr.bank import PlainKey
from nkhr.questions import Question, answer_items, answer_text, canon, length_note, parse_number, score, validate, word_count


def key_for(q: Question, right: dict[str, set[str]]) -> PlainKey:
    return PlainKey({q.id: right}, {q.id: "why"})


SINGLE = Question("s", "single", "?", 1, options=["Alpha one", "Beta"])
MULTI = Question("m", "multi", "?", 2, options=["A", "B", "C", "D"])
ORDER = Question("o", "order", "?", 2, options=["c", "a", "b"])
MATCH = Question("x", "match", "?", 2, options=["L1", "L2"], choices=["R1", "R2", "R3"])
NUM = Question("n", "numeric", "?", 1, unit="people", step=1)
SCALE = Question("k", "scale", "?", 1)
TEXT = Question("t", "text", "?", 3, min_words=5, rubric="r")


def test_canon_folds_case_and_spacing() -> None:
    assert canon("  Alpha   ONE ") == canon("alpha one")
    assert canon("alpha one") != canon("alpha two")


@pytest.mark.parametrize("raw,expected", [("120,000", 120000), (" 120 000 ", 120000), ("345", 345),
                                          ("3.5%", 3.5), (7, 7), ("abc", None), ("", None), ("1,2,x", None), ("9" * 400, None),
                                          (True, None), (float("nan"), None)])
def test_parse_number(raw, expected) -> None:
    assert parse_number(raw) == expected


def test_single_choice_ignores_case_and_spacing() -> None:
    key = key_for(SINGLE, {"choice": {canon("Alpha one")}})
    assert score(SINGLE, "alpha   ONE", key).status == "correct"
    assert score(SINGLE, "Beta", key).points == 0
    assert validate(SINGLE, "Gamma")  # not an option: a friendly message, no exception


def test_multi_select_order_does_not_matter_and_partial_credit() -> None:
    right = {canon(o): {"1" if o in "AB" else "0"} for o in MULTI.options}
    key = key_for(MULTI, right)
    assert score(MULTI, ["B", "A"], key).points == 2
    partial = score(MULTI, ["A", "C"], key)  # A right, B missed, C wrong, D right -> 2 of 4
    assert (partial.status, partial.points) == ("partial", 1.0)
    assert score(MULTI, ["C", "D"], key).points == 0


def test_ordering_partial_credit_by_position() -> None:
    right = {"1": {"a"}, "2": {"b"}, "3": {"c"}}
    key = key_for(ORDER, right)
    assert score(ORDER, ["a", "b", "c"], key).status == "correct"
    assert score(ORDER, ["a", "c", "b"], key).points == pytest.approx(2 / 3, abs=0.01)
    assert validate(ORDER, ["a", "a", "b"]) == "Use each item exactly once."
    assert validate(ORDER, ["a", None, "b"])


def test_matching_partial_and_incomplete() -> None:
    key = key_for(MATCH, {"l1": {"r1"}, "l2": {"r3"}})
    assert score(MATCH, {"L1": "R1", "L2": "R3"}, key).points == 2
    assert score(MATCH, {"L1": "R1", "L2": "R2"}, key).points == 1
    assert "still open" in validate(MATCH, {"L1": "R1"})


def test_numeric_tolerance_on_the_grid() -> None:
    key = key_for(NUM, {"value": {str(v) for v in range(118000, 122001)}})
    assert score(NUM, "120,000", key).status == "correct"
    assert score(NUM, "121999.6", key).status == "correct"  # read to the nearest whole unit: 122000
    assert score(NUM, "122000.6", key).status == "incorrect"  # 122001 is outside
    assert score(NUM, 117999, key).status == "incorrect"
    assert validate(NUM, "lots") == "Type a number, e.g. 120000 or 120,000."


def test_scale_range_and_bounds() -> None:
    key = key_for(SCALE, {"value": {"7", "8"}})
    assert score(SCALE, 7, key).status == "correct"
    assert score(SCALE, 6, key).status == "incorrect"
    assert validate(SCALE, 11) and validate(SCALE, True) and validate(SCALE, "7")


def test_free_text_is_manual_and_counts_words() -> None:
    assert score(TEXT, "one two three four five", None).status == "manual"
    assert validate(TEXT, "too short") is None  # a short answer is recorded, with a warning
    assert length_note(TEXT, "too short") == "2 words: below the 5-word minimum"
    assert length_note(TEXT, "one two three four five") is None
    assert score(TEXT, "   ", None).status == "unanswered"
    assert word_count("North Korea's record — well-documented, 2014.") == 5


@pytest.mark.parametrize("q,bad", [(SINGLE, 3), (MULTI, "A"), (ORDER, "a,b,c"), (MATCH, ["R1"]),
                                   (NUM, [1]), (SCALE, 5.5), (TEXT, 42), (SINGLE, None), (MULTI, [])])
def test_wrong_shapes_give_messages_not_exceptions(q, bad) -> None:
    assert validate(q, bad)
    assert score(q, bad, key_for(q, {})).points == 0


def test_answer_items_are_canonical() -> None:
    assert answer_items(MULTI, ["b"]) == {"a": "0", "b": "1", "c": "0", "d": "0"}
    assert answer_items(NUM, "1,000") == {"value": "1000"}


def test_a_match_answer_reads_in_the_questions_order_however_it_was_stored() -> None:
    q = Question("m", "match", "?", 2, options=["b first", "a second"], choices=["x", "y"])
    stored = {"a second": "y", "b first": "x"}  # as a saved notebook (sorted keys) gives it back
    assert answer_text(q, stored) == "b first = x; a second = y"
