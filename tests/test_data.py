"""nkhr.data.load: bad files are reported by file and line; the real readings load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nkhr import data
from nkhr.data import DataError, load

GOOD_FIGURES = (
    "id,topic,label,value,value_high,unit,as_of,source,quote,kind,derivation,note\n"
    "a,un,HRC members,47,,members,2014,cohen2014,the 47-member Human Rights Council,cited,,\n"
    "b,camps,Prisoners,\"150,000\",200000,people,2010,cohen2010,q,cited,,\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_numbers(tmp_path):
    write(tmp_path, "figures.csv", GOOD_FIGURES)
    rows = load("figures.csv", folder=tmp_path)
    assert [r["value"] for r in rows] == [47, 150000]
    assert rows[0]["value_high"] is None and rows[1]["value_high"] == 200000


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"readings/figures\.csv is missing"):
        load("figures.csv", folder=tmp_path)


def test_missing_column(tmp_path):
    write(tmp_path, "figures.csv", GOOD_FIGURES.replace(",unit,", ",units,", 1))
    with pytest.raises(DataError, match=r"readings/figures\.csv, line 1: .*\bunit\b"):
        load("figures.csv", folder=tmp_path)


def test_non_numeric_value(tmp_path):
    write(tmp_path, "figures.csv", GOOD_FIGURES.replace(",47,", ",forty-seven,"))
    with pytest.raises(DataError, match=r"readings/figures\.csv, line 2: column 'value' should be a number"):
        load("figures.csv", folder=tmp_path)


def test_empty_required_value(tmp_path):
    write(tmp_path, "figures.csv", GOOD_FIGURES.replace(",members,", ",,"))
    with pytest.raises(DataError, match=r"readings/figures\.csv, line 2: column 'unit' is empty"):
        load("figures.csv", folder=tmp_path)


@pytest.mark.parametrize("bad_line", [
    "c,un,Too many,1,,votes,2014,cohen2014,q,cited,,,extra\n",
    "c,un,Too few,1,,votes\n",
])
def test_wrong_number_of_fields(tmp_path, bad_line):
    write(tmp_path, "figures.csv", GOOD_FIGURES + bad_line)
    with pytest.raises(DataError, match=r"readings/figures\.csv, line 4: wrong number of fields"):
        load("figures.csv", folder=tmp_path)


def test_duplicate_id(tmp_path):
    write(tmp_path, "figures.csv", GOOD_FIGURES + GOOD_FIGURES.splitlines(keepends=True)[1])
    with pytest.raises(DataError, match=r"readings/figures\.csv: the id 'a' is used twice"):
        load("figures.csv", folder=tmp_path)


# --------------------------------------------------------------------------------------------
# The real files
# --------------------------------------------------------------------------------------------

TOPICS = {"camps", "health", "defectors", "pows_abductees", "freedom_house", "un", "treaties",
          "diplomacy", "sanctions"}
MECHANISMS = {"UPR", "COI", "HRC", "GA", "UNSC", "Special Rapporteur", "treaty", "bilateral",
              "sanctions", "other", ""}
DATE_FORMS = {"year": r"\d{4}", "month": r"\d{4}-\d{2}", "day": r"\d{4}-\d{2}-\d{2}"}


@pytest.mark.parametrize("name", sorted(data.SCHEMAS))
def test_real_readings_load(name):
    rows = load(name)
    assert rows, f"readings/{name} has no rows"


def test_sources_have_short_names_and_first_paragraphs():
    for row in load("sources.csv"):
        assert row.get("short") and row.get("first_paragraph"), row["id"]


def test_figure_topics_are_from_the_small_set():
    bad = {row["id"]: row["topic"] for row in load("figures.csv") if row["topic"] not in TOPICS}
    assert not bad, f"unknown topics (add them to TOPICS deliberately): {bad}"


def test_figure_as_of_is_a_date():
    bad = [row["id"] for row in load("figures.csv")
           if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row["as_of"])]
    assert not bad, f"as_of must be YYYY, YYYY-MM or YYYY-MM-DD: {bad}"


@pytest.mark.parametrize("row", load("timeline.csv"), ids=lambda r: r["id"])
def test_timeline_row(row):
    assert row["precision"] in DATE_FORMS, f"{row['id']}: precision {row['precision']!r}"
    assert re.fullmatch(DATE_FORMS[row["precision"]], row["date"]), (
        f"{row['id']}: date {row['date']!r} does not match precision {row['precision']!r}"
    )
    assert row["mechanism"] in MECHANISMS, f"{row['id']}: mechanism {row['mechanism']!r}"


# The quotation registry: a quote cell may hold an id of readings/quotes.csv instead of the text.
REGISTRY = (
    "id,reading,paragraph,text\n"
    "c14_barter,cohen2014,9,Holding a dialogue should not be a point of barter.\n"
)


def test_quote_id_is_replaced_by_the_registry_text(tmp_path):
    write(tmp_path, "quotes.csv", REGISTRY)
    write(tmp_path, "figures.csv", GOOD_FIGURES.replace("the 47-member Human Rights Council", "c14_barter"))
    row = load("figures.csv", folder=tmp_path)[0]
    assert row["quote"] == "Holding a dialogue should not be a point of barter."
    assert row["quote_id"] == "c14_barter"
    assert load("figures.csv", folder=tmp_path)[1]["quote"] == "q"  # an anchor stays as written


def test_unknown_quote_id_names_file_line_and_id(tmp_path):
    write(tmp_path, "quotes.csv", REGISTRY)
    write(tmp_path, "figures.csv", GOOD_FIGURES.replace("the 47-member Human Rights Council", "c14_bartre"))
    with pytest.raises(DataError, match=r"readings/figures\.csv, line 2: column 'quote' names the quotation "
                                        r"'c14_bartre', which is not an id in readings/quotes\.csv"):
        load("figures.csv", folder=tmp_path)


def test_quote_id_from_another_reading(tmp_path):
    write(tmp_path, "quotes.csv", REGISTRY)
    write(tmp_path, "figures.csv", GOOD_FIGURES.replace("cohen2014,the 47-member Human Rights Council",
                                                        "lee2022,c14_barter"))
    with pytest.raises(DataError, match=r"line 2: the quotation 'c14_barter' is from cohen2014, but the row's source is lee2022"):
        load("figures.csv", folder=tmp_path)
