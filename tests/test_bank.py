"""Question banks and keys: the hashed student key must judge exactly like the plain key."""

from __future__ import annotations

import pytest

from nkhr.bank import BankError, list_sets, load_bank, load_public
from nkhr.questions import answer_items, score
from nkhr.paths import exercise_notebook

SETS = list_sets()


def _wrong(q, answer):
    """A plausible wrong answer of the right shape."""
    if q.type == "single":
        return next(o for o in q.options if o != answer)
    if q.type == "multi":
        return [o for o in q.options if o not in answer]
    if q.type == "order":
        return list(reversed(answer))
    if q.type == "match":
        return {k: next(c for c in q.choices if c != v) for k, v in answer.items()}
    if q.type == "numeric":
        return answer * 2 + 1
    if q.type == "scale":
        outside = [v for v in (0, 10) if not answer[0] <= v <= answer[1]]
        return outside[0] if outside else None  # a scale that accepts every position has no wrong answer
    return None


@pytest.mark.parametrize("set_id", SETS)
def test_hashed_key_agrees_with_plain_key(set_id: str) -> None:
    bank = load_bank(set_id)
    hashed = load_public(set_id).key  # the committed student key (drift is tested in test_build)
    for q in bank.questions:
        if q.manual:
            continue
        right = bank.answers[q.id]
        right = right[0] if q.type == "scale" else right
        assert score(q, right, bank.key) == score(q, right, hashed) and score(q, right, hashed).status == "correct", q.id
        assert hashed.explanation(q.id, answer_items(q, right)) == bank.solutions[q.id]["explanation"]
        wrong = _wrong(q, bank.answers[q.id])
        if wrong is not None:
            assert score(q, wrong, bank.key) == score(q, wrong, hashed), (q.id, wrong)
            assert score(q, wrong, hashed).status != "correct", q.id
            assert hashed.explanation(q.id, answer_items(q, wrong)) is None


@pytest.mark.parametrize("set_id", SETS)
def test_student_build_has_no_readable_answers(set_id: str, root) -> None:
    bank = load_bank(set_id)
    text = exercise_notebook(set_id, root / "exercises").read_text() + (root / "exercises" / "keys" / f"{set_id}.json").read_text()
    for q in bank.questions:
        extra = bank.solutions[q.id]
        for secret in (extra.get("explanation"), extra.get("sample_answer")):
            if secret:
                assert secret.strip()[:40] not in text, f"{q.id}: explanation or sample answer leaks into the student build"
    assert "Instructor notes" not in text


def test_malformed_banks_are_reported_by_name(tmp_path) -> None:
    cases = {
        "bad toml": "title = \n",
        "no questions": 'title = "x"\n',
        "bad type": '[[questions]]\nid="a"\ntype="poll"\nprompt="?"\n',
        "answer not an option": '[[questions]]\nid="a"\ntype="single"\nprompt="?"\noptions=["x","y"]\nanswer="z"\nexplanation="e"\n',
        "no explanation": '[[questions]]\nid="a"\ntype="single"\nprompt="?"\noptions=["x","y"]\nanswer="x"\n',
        "no rubric": '[[questions]]\nid="a"\ntype="essay"\nprompt="?"\n',
        "duplicate id": '[[questions]]\nid="a"\ntype="text"\nprompt="?"\nrubric="r"\n[[questions]]\nid="a"\ntype="text"\nprompt="?"\nrubric="r"\n',
        "unknown field": '[[questions]]\nid="a"\ntype="text"\nprompt="?"\nrubric="r"\ncolour="red"\n',
        "tolerance too wide": '[[questions]]\nid="a"\ntype="numeric"\nprompt="?"\nanswer=5\ntolerance=100000\nexplanation="e"\n',
    }
    for name, text in cases.items():
        path = tmp_path / "set.toml"
        path.write_text(text)
        with pytest.raises(BankError) as err:
            load_bank("set", path=path)
        assert "set.toml" in str(err.value), name


def test_missing_or_damaged_public_key(tmp_path) -> None:
    with pytest.raises(BankError, match="missing"):
        load_public("nope", path=tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(BankError, match="damaged"):
        load_public("bad", path=tmp_path / "bad.json")
