"""Provenance: every quotation and every number the workbook shows comes from the readings.

The source texts are not part of the repository. Where they are absent (a user's machine) the
checks that need them are skipped with the reason; in CI (``CI=true``) their absence fails.
The tests of the provenance functions themselves run everywhere, on made-up strings, to show the
checks can fail.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from conftest import require_sources

from nkhr import paths, provenance
from nkhr.data import is_quote_id, load, quotes
from nkhr.provenance import (
    attributed_source,
    blockquotes,
    normalise,
    number_in_quote,
    quote_in_text,
    word_count,
)

ROOT = paths.project_root()
READINGS = ROOT / "readings"
MAX_WORDS = 40
REGISTRY = quotes()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------




def _csv_rows(path: Path) -> list[tuple[int, dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def _quoted_csvs() -> list[Path]:
    found = []
    for path in sorted(READINGS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        if "quote" in header and "source" in header:
            found.append(path)
    return found


def _quote_params() -> list:
    """One case per quote: every `quote*` column (quote, quote_2, …) with its `source*` column."""
    params = []
    for path in _quoted_csvs():
        for line, row in _csv_rows(path):
            for column in (c for c in row if c and c.startswith("quote")):
                suffix = column[len("quote"):]
                source = row.get("source" + suffix) or row["source"]
                if (row.get(column) or "").strip():
                    value = row[column].strip()
                    if is_quote_id(value):  # a registry id: check it exists and is from this source
                        entry = REGISTRY.get(value)
                        assert entry, f"readings/{path.name}, line {line}: {value!r} is not an id in readings/quotes.csv"
                        assert entry["reading"] == source, (
                            f"readings/{path.name}, line {line}: {value!r} is from {entry['reading']}, not {source}")
                        value = entry["text"]
                    view = {"id": row.get("id"), "quote": value, "source": source}
                    label = f"{path.name}:{line}:{row.get('id') or '?'}:{column}"
                    params.append(pytest.param(path.name, line, view, id=label))
    return params


def _source_ids() -> set[str]:
    return {row["id"] for row in load("sources.csv")}


FIGURES = load("figures.csv")
TIMELINE = load("timeline.csv")
SOURCES = load("sources.csv")
FIGURE_IDS = {row["id"] for row in FIGURES}


# --------------------------------------------------------------------------------------------
# The provenance functions, on made-up strings (these run without the source texts)
# --------------------------------------------------------------------------------------------


SAMPLE = (
    "The camps hold an estimated 150,000 to 200,000[ii] people.[12] Officials said it was "
    "\u201cpolitically motivated\u201d \u2013 an \u2018old\u2019 line.\n\nAnother    line\u00a0here."
)


class TestNormalise:
    def test_folds_quotes_dashes_space_case(self):
        assert normalise("\u201cA\u201d \u2018b\u2019 \u2013 C\u2014d\u00a0\n E\u2026") == "\"a\" 'b' - c-d e..."

    def test_removes_footnote_markers(self):
        assert normalise("rights.[i] In 200,000[ii] x[xiv] y[12]") == "rights. in 200,000 x y"

    def test_keeps_editorial_brackets(self):
        assert normalise("the [Human Rights Council]") == "the [human rights council]"


class TestQuoteInText:
    def test_verbatim_after_normalising(self):
        assert quote_in_text('"politically motivated" - an \'old\' line', SAMPLE)
        assert quote_in_text("estimated 150,000 to 200,000 people.", SAMPLE)
        assert quote_in_text("another line here", SAMPLE)

    def test_absent_quote_is_false(self):
        assert not quote_in_text("an estimated 120,000 people", SAMPLE)
        assert not quote_in_text("politically motivated officials", SAMPLE)
        assert not quote_in_text("", SAMPLE)
        assert not quote_in_text(" ... ", SAMPLE)

    def test_ellipsis_allows_a_gap_in_order(self):
        assert quote_in_text("The camps hold \u2026 200,000 people", SAMPLE)
        assert quote_in_text("The camps hold ... Officials said ... old", SAMPLE)
        assert not quote_in_text("Officials said ... The camps hold", SAMPLE)  # wrong order
        assert not quote_in_text("The camps hold ... 120,000", SAMPLE)  # a part is missing

    def test_footnote_marker_in_text_does_not_break_a_quote(self):
        assert quote_in_text("200,000 people. Officials", SAMPLE)
        assert quote_in_text("200,000[ii] people", SAMPLE)


class TestNumberInQuote:
    @pytest.mark.parametrize(
        "value, quote",
        [
            (150000, "an estimated 150,000 to 200,000"),
            (200000, "an estimated 150,000 to 200,000"),
            (150000, "some 150000 people"),
            (345, "345 TB infections per 100,000"),
            (100000, "345 TB infections per 100,000"),
            (5, "ratified five of the major treaties"),
            (15, "for the first time in 15 years"),
            (15, "for fifteen years"),
            (47, "the forty-seven members"),
            (0, "scores of 0 (out of 40)"),
            (2.5, "a rate of 2.5 per cent"),
            (1200000, "about 1.2 million people"),
            (0.5, "nearly half the recommendations"),
            ("18,000", "some 18,000 defectors"),
        ],
    )
    def test_found(self, value, quote):
        assert number_in_quote(value, quote)

    @pytest.mark.parametrize(
        "value, quote",
        [
            (15, "an estimated 150,000"),  # not inside a longer number
            (150, "an estimated 150,000"),
            (4, "the 47-member Council"),
            (30, "a vote of 31 to 6"),
            (5, "fifty countries"),
            (120000, "an estimated 150,000 to 200,000"),
            (2.5, "25 countries"),
        ],
    )
    def test_not_found(self, value, quote):
        assert not number_in_quote(value, quote)


def test_word_count():
    assert word_count("one two  three") == 3
    assert word_count("a \u2014 b ... c[ii]") == 3
    assert word_count("") == 0


def test_blockquotes_in_markdown(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(
        "# Guide\n\nText.\n\n> first line\n> second line\n\n\u2014 Cohen 2014, para. 5\n\n"
        "```\n> not a quote, inside code\n```\n\n> lone quote\n",
        encoding="utf-8",
    )
    assert blockquotes(guide) == [
        (5, "first line second line", "\u2014 Cohen 2014, para. 5"),
        (14, "lone quote", ""),
    ]


def test_blockquotes_in_notebook(tmp_path):
    import json

    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Lesson\n"]},
            {"cell_type": "code", "metadata": {}, "source": ["> not markdown\n"], "outputs": [],
             "execution_count": None},
            {"cell_type": "markdown", "metadata": {}, "source": ["> a quote\n", "\n", "\u2014 Lee 2022\n"]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert blockquotes(path) == [(3, "a quote", "\u2014 Lee 2022")]


def test_attributed_source():
    assert attributed_source("\u2014 Cohen 2014, para. 5") == "cohen2014"
    assert attributed_source("-- cohen 2010") == "cohen2010"
    assert attributed_source("\u2014 Lee 2022, para. 2") == "lee2022"
    assert attributed_source("\u2014 Cohen 2012") is None
    assert attributed_source("") is None


def test_missing_texts_give_none(monkeypatch, tmp_path):
    monkeypatch.setenv("NKHR_SOURCES", str(tmp_path / "nowhere"))
    assert provenance.source_text("cohen2010") is None
    assert provenance.paragraphs("cohen2010") == []
    assert provenance.paragraph_of("anything", "cohen2010") is None


# --------------------------------------------------------------------------------------------
# The data files, without the texts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sources.csv", "figures.csv", "timeline.csv", "quotes.csv"])
def test_ids_unique(name):
    ids = [row["id"] for _, row in _csv_rows(READINGS / name)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"readings/{name}: ids used more than once: {duplicates}"


# --------------------------------------------------------------------------------------------
# The quotation registry (readings/quotes.csv): every long quotation is stored here once
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", list(REGISTRY.values()), ids=lambda e: e["id"])
def test_registry_entry(entry):
    where = f"readings/quotes.csv {entry['id']}"
    assert entry["reading"] in _source_ids(), f"{where}: reading {entry['reading']!r} is not in sources.csv"
    assert is_quote_id(entry["id"]), f"{where}: an id is lower-case letters, digits and '_' (e.g. c14_barter)"
    words = word_count(entry["text"])
    assert words <= MAX_WORDS, f"{where}: {words} words (at most {MAX_WORDS})"


@pytest.mark.parametrize("entry", list(REGISTRY.values()), ids=lambda e: e["id"])
def test_registry_verbatim_in_its_paragraph(entry):
    require_sources()
    where = f"readings/quotes.csv {entry['id']}"
    text = provenance.source_text(entry["reading"]) or ""
    assert quote_in_text(entry["text"], text), f"{where}: not found verbatim in {entry['reading']}: {entry['text']!r}"
    body = provenance.paragraphs(entry["reading"])
    number = int(entry["paragraph"])
    assert 1 <= number <= len(body) and quote_in_text(entry["text"], body[number - 1]), (
        f"{where}: not in {entry['reading']} para. {number}; "
        f"paragraph_of finds it in para. {provenance.paragraph_of(entry['text'], entry['reading'])}"
    )


def _long_unregistered() -> list:
    """Quote cells of 8+ words that are not a registry id: they belong in readings/quotes.csv."""
    params = []
    for path in _quoted_csvs():
        for line, row in _csv_rows(path):
            for column in (c for c in row if c and (c == "quote" or c.startswith("quote_"))):
                value = (row.get(column) or "").strip()
                if value and not is_quote_id(value):
                    params.append(pytest.param(path.name, line, column, value, id=f"{path.name}:{line}:{column}"))
    return params


@pytest.mark.parametrize("name, line, column, value", _long_unregistered())
def test_long_quotes_go_through_the_registry(name, line, column, value):
    words = len(provenance.budget_words(value))
    assert words < provenance.RUN_WORDS, (
        f"readings/{name}, line {line}, {column}: a quotation of {words} words is stored here; store it once "
        f"in readings/quotes.csv and put its id here, or keep only a phrase of under "
        f"{provenance.RUN_WORDS} words (a figure's or date's anchor)"
    )


@pytest.mark.parametrize("path", _quoted_csvs(), ids=lambda p: p.name)
def test_every_source_is_listed(path):
    known = _source_ids()
    bad = [f"line {line}: {row['source']!r}" for line, row in _csv_rows(path) if row["source"] not in known]
    assert not bad, f"readings/{path.name}: sources not in readings/sources.csv: {bad}"


@pytest.mark.parametrize("name, line, row", _quote_params())
def test_quote_length(name, line, row):
    words = word_count(row["quote"])
    assert words <= MAX_WORDS, f"readings/{name}, line {line}: the quote has {words} words (at most {MAX_WORDS})"


@pytest.mark.parametrize("row", FIGURES, ids=lambda r: r["id"])
def test_figure_kind(row):
    assert row["kind"] in {"cited", "derived"}, f"{row['id']}: kind must be cited or derived, not {row['kind']!r}"
    if row["kind"] == "cited":
        assert row["quote"], f"{row['id']}: a cited figure needs its quote"
        assert not row["derivation"], f"{row['id']}: a cited figure has no derivation"


CITED = [r for r in FIGURES if r["kind"] == "cited"]
DERIVED = [r for r in FIGURES if r["kind"] == "derived"]


@pytest.mark.parametrize("row", CITED, ids=lambda r: r["id"])
def test_cited_number_in_quote(row):
    assert number_in_quote(row["value"], row["quote"]), (
        f"figures.csv {row['id']}: value {row['value']} is not in its quote {row['quote']!r}"
    )
    if row["value_high"] is not None:
        assert number_in_quote(row["value_high"], row["quote"]), (
            f"figures.csv {row['id']}: value_high {row['value_high']} is not in its quote"
        )


# A tiny arithmetic parser for derivations ("47 − 30 − 6 = 11"): numbers, + − × ÷ and brackets.
_TOKEN = re.compile(r"\s*(?:(\d[\d,]*(?:\.\d+)?)|(.))")


def _tokens(expression: str) -> list[str | float]:
    expression = expression.replace("\u2212", "-").replace("\u2013", "-").replace("\u00d7", "*").replace("\u00f7", "/")
    out: list[str | float] = []
    for number, symbol in _TOKEN.findall(expression):
        if number:
            out.append(float(number.replace(",", "")))
        elif symbol.strip():
            if symbol not in "+-*/()":
                raise ValueError(f"unexpected {symbol!r} in {expression!r}")
            out.append(symbol)
    return out


def evaluate(expression: str) -> float:
    """Evaluate + − × ÷ and brackets over plain numbers (no names, no eval)."""
    tokens = _tokens(expression)
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    def term() -> float:
        value = factor()
        while peek() in ("*", "/"):
            value = value * factor() if take() == "*" else value / factor()
        return value

    def expr() -> float:
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def factor() -> float:
        token = take() if peek() is not None else None
        if isinstance(token, float):
            return token
        if token == "-":
            return -factor()
        if token == "(":
            value = expr()
            if take() != ")":
                raise ValueError(f"unbalanced brackets in {expression!r}")
            return value
        raise ValueError(f"expected a number in {expression!r}")

    result = expr()
    if position != len(tokens):
        raise ValueError(f"trailing symbols in {expression!r}")
    return result


def operands(expression: str) -> list[float]:
    return [t for t in _tokens(expression) if isinstance(t, float)]


def parse_derivation(text: str) -> tuple[str, float, list[str]]:
    """Split 'a − b = c (from x, y); note' into ('a − b', c, ['x', 'y'])."""
    match = re.match(r"^\s*([\d\s.,+\-\u2212\u2013*\u00d7/\u00f7()]+?)\s*=\s*(\d[\d,]*(?:\.\d+)?)", text)
    if not match:
        raise ValueError(f"no 'arithmetic = result' at the start of {text!r}")
    ids_match = re.search(r"\(from ([^)]*)\)", text)
    ids = [i.strip() for i in ids_match.group(1).split(",")] if ids_match else []
    return match.group(1), float(match.group(2).replace(",", "")), ids


def test_parser_is_shown_able_to_fail():
    assert evaluate("47 \u2212 30 \u2212 6") == 11
    assert evaluate("(12 + 6) \u00d7 2 \u00f7 4") == 9
    assert evaluate("3,830 - 516") == 3314
    with pytest.raises(ValueError):
        evaluate("__import__('os')")
    with pytest.raises(ValueError):
        parse_derivation("eleven (from a)")
    expression, result, ids = parse_derivation("47 \u2212 30 \u2212 6 = 12 (from a, b, c); note")
    assert (ids, result) == (["a", "b", "c"], 12) and evaluate(expression) != result


@pytest.mark.parametrize("row", DERIVED, ids=lambda r: r["id"])
def test_derived_figure(row):
    where = f"figures.csv {row['id']}"
    assert not row["quote"], f"{where}: a derived figure must not carry a quote (it is not cited)"
    assert row["derivation"], f"{where}: a derived figure must show its arithmetic"
    expression, result, ids = parse_derivation(row["derivation"])
    computed = evaluate(expression)
    assert abs(computed - result) < 1e-9, f"{where}: {expression} is {computed:g}, not {result:g}"
    assert abs(float(row["value"]) - result) < 1e-9, f"{where}: value {row['value']} differs from the derivation's {result:g}"
    assert ids, f"{where}: the derivation must name its input rows as '(from id, id)'"
    missing = [i for i in ids if i not in FIGURE_IDS]
    assert not missing, f"{where}: the derivation refers to unknown ids {missing}"
    inputs = {float(r[k]) for r in FIGURES if r["id"] in ids for k in ("value", "value_high") if r[k] is not None}
    stray = [x for x in operands(expression) if x not in inputs]
    assert not stray, f"{where}: numbers {stray} are not values of the rows it names ({ids})"


# --------------------------------------------------------------------------------------------
# Against the source texts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", SOURCES, ids=lambda r: r["id"])
def test_source_file_exists(row):
    folder = require_sources()
    assert (folder / row["file"]).is_file(), f"sources.csv {row['id']}: {row['file']} is not in {folder}"


@pytest.mark.parametrize("row", SOURCES, ids=lambda r: r["id"])
def test_first_paragraph_found(row):
    require_sources()
    assert provenance.paragraphs(row["id"]), f"sources.csv {row['id']}: no paragraphs found"


@pytest.mark.parametrize("name, line, row", _quote_params())
def test_quote_verbatim(name, line, row):
    require_sources()
    text = provenance.source_text(row["source"])
    assert text is not None, f"readings/{name}, line {line}: the text of {row['source']} is missing"
    assert quote_in_text(row["quote"], text), (
        f"readings/{name}, line {line} ({row.get('id')}): quote not found verbatim in {row['source']}: {row['quote']!r}"
    )


def _markdown_files() -> list[Path]:
    files: list[Path] = []
    for folder, pattern in (("readings", "*.md"), ("notebooks", "*.ipynb"),
                            ("solutions", "*.ipynb"), ("solutions", "*.md")):
        files.extend(sorted((ROOT / folder).glob(pattern)))
    return files


def _blockquote_params() -> list:
    params = []
    for path in _markdown_files():
        unit = "cell" if path.suffix == ".ipynb" else "line"
        for where, quote, attribution in blockquotes(path):
            label = f"{path.relative_to(ROOT)}:{unit} {where}"
            params.append(pytest.param(path, where, quote, attribution, id=label))
    if not params:
        params.append(pytest.param(None, 0, "", "", id="no-blockquotes",
                                   marks=pytest.mark.skip(reason="no blockquotes in the guides or notebooks yet")))
    return params


_WRAPPING = "\"'\u201c\u201d\u2018\u2019*_ "
_PARA = re.compile(r"\bparas?\.?\s*(\d+)(?:\s*[-\u2013]\s*(\d+))?", re.IGNORECASE)


@pytest.mark.parametrize("path, where, quote, attribution", _blockquote_params())
def test_blockquote_is_verbatim(path, where, quote, attribution):
    place = f"{path.relative_to(ROOT)}, {'cell' if path.suffix == '.ipynb' else 'line'} {where}"
    source = attributed_source(attribution)
    assert source, (
        f"{place}: a blockquote must be a quotation from a reading, followed by a line naming it "
        f"(e.g. '\u2014 Cohen 2014, para. 5'); found {attribution!r}"
    )
    body = quote.strip(_WRAPPING)
    words = word_count(body)
    assert words <= MAX_WORDS, f"{place}: the quotation has {words} words (at most {MAX_WORDS})"
    require_sources()
    assert quote_in_text(body, provenance.source_text(source) or ""), (
        f"{place}: not found verbatim in {source}: {body!r}"
    )
    match = _PARA.search(attribution)
    if match:
        first = int(match.group(1))
        last = int(match.group(2) or first)
        body_paragraphs = provenance.paragraphs(source)
        cited = " ".join(body_paragraphs[first - 1:last])
        assert cited and quote_in_text(body, cited), (
            f"{place}: not in {source} para. {first if first == last else f'{first}-{last}'}; "
            f"paragraph_of finds it in para. {provenance.paragraph_of(body, source)}"
        )
