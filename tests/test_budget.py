"""The quotation budget: the repository reproduces at most 15 % of each reading.

Every tracked file counts (lessons with their outputs, exercise notebooks, guides, CSV, TOML,
Python, templates). A word of a reading is "reproduced" when it lies inside a run of 8 or more
consecutive words that also occurs, word for word after normalising, in some tracked file; the
share is the union over all files, so one quotation repeated in many files counts once. The
counting lives in :mod:`nkhr.provenance`; its unit tests below run everywhere on made-up text.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import require_sources

from nkhr import paths, provenance
from nkhr.data import load
from nkhr.provenance import budget_report, budget_words, file_budget_text, reproduced, reproduced_share

ROOT = paths.project_root()
LIMIT = 0.15


# --------------------------------------------------------------------------------------------
# The counting, on made-up text
# --------------------------------------------------------------------------------------------

SOURCE = budget_words(
    "One two three four five six seven eight nine ten. Eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty."
)


def test_words_fold_case_quotes_markup_and_entities():
    assert budget_words("The <i>\u201cCountry\u2019s\u201d</i> LAWS &amp; [ii] rules") == [
        "the", "country's", "laws", "rules"]


def test_a_run_of_eight_counts_and_seven_does_not():
    eight = budget_words("x one two three four five six seven eight y")
    seven = budget_words("x one two three four five six seven y")
    found = reproduced(SOURCE, {"a.md": eight, "b.md": seven})
    assert found == {"a.md": set(range(8))}
    assert reproduced_share(SOURCE, found) == pytest.approx(8 / 20)


def test_a_quote_repeated_in_many_files_counts_once():
    quote = budget_words("one two three four five six seven eight nine ten")
    found = reproduced(SOURCE, {"a.md": quote, "b.csv": quote, "c.ipynb": quote})
    assert reproduced_share(SOURCE, found) == pytest.approx(10 / 20)


def test_different_passages_add_up():
    first = budget_words("one two three four five six seven eight")
    second = budget_words("thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty")
    found = reproduced(SOURCE, {"a.md": first, "b.md": second})
    assert reproduced_share(SOURCE, found) == pytest.approx(16 / 20)


def test_punctuation_and_quote_marks_do_not_break_a_run():
    text = budget_words('"One two, three" \u2014 four; five (six) seven: eight!')
    assert reproduced(SOURCE, {"a.md": text}) == {"a.md": set(range(8))}


def test_notebook_outputs_count(tmp_path):
    import json

    cell = {"cell_type": "code", "source": ["show()"], "metadata": {}, "execution_count": 1,
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"text/html": ["<div>one two three four\n", "five six seven eight</div>\n"]}}]}
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
                    encoding="utf-8")
    found = reproduced(SOURCE, {"lesson.ipynb": budget_words(file_budget_text(path))})
    assert found == {"lesson.ipynb": set(range(8))}


def test_report_names_the_top_files():
    found = {"small.md": {0, 1}, "big.csv": set(range(10))}
    line = budget_report("cohen2014", found, 20)
    assert line.startswith("cohen2014: 50.0% of 20 words")
    assert line.index("big.csv 50.0%") < line.index("small.md 10.0%")


# --------------------------------------------------------------------------------------------
# The repository, against the texts
# --------------------------------------------------------------------------------------------


def _tracked_words() -> dict[str, list[str]]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    files: dict[str, list[str]] = {}
    for name in filter(None, listed.stdout.split("\0")):
        text = file_budget_text(ROOT / name)
        if text is not None:
            files[name] = budget_words(text)
    return files


@pytest.fixture(scope="module")
def tracked() -> dict[str, list[str]]:
    return _tracked_words()


@pytest.mark.parametrize("source_id", [row["id"] for row in load("sources.csv")])
def test_each_reading_within_budget(source_id, tracked):
    require_sources()
    text = provenance.source_text(source_id)
    assert text is not None, f"the text of {source_id} is missing"
    words = budget_words(text)
    per_file = reproduced(words, tracked)
    share = reproduced_share(words, per_file)
    assert share <= LIMIT, (
        f"the repository reproduces {100 * share:.1f}% of {source_id} (at most {100 * LIMIT:.0f}%): "
        f"quote the registry (readings/quotes.csv) and summarise the rest. "
        + budget_report(source_id, per_file, len(words))
    )


# The data files and the package quote only through the registry: any run of 8+ words from a
# reading must lie inside a registry text (readings/quotes.csv). sources.csv is exempt: it holds
# the readings' titles and bylines, which citations need.

def _registry_only_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [f for f in listed if f.startswith(("src/nkhr/", "readings/activities/"))
            or (f.startswith("readings/") and f.endswith(".csv") and f not in ("readings/quotes.csv",
                                                                                 "readings/sources.csv"))]


@pytest.mark.parametrize("name", _registry_only_files())
def test_data_and_package_quote_only_the_registry(name, tracked):
    require_sources()
    registry = tracked.get("readings/quotes.csv", [])
    stray = []
    for row in load("sources.csv"):
        words = budget_words(provenance.source_text(row["id"]) or "")
        allowed = reproduced(words, {"registry": registry}).get("registry", set())
        found = reproduced(words, {name: tracked.get(name, [])}).get(name, set()) - allowed
        if found:
            stray.append(f"{row['id']}: “{' '.join(words[i] for i in sorted(found))}”")
    assert not stray, (f"{name} copies 8+ consecutive words of a reading outside the registry: put the quotation in "
                       f"readings/quotes.csv and refer to it by id, or use our own words. " + "; ".join(stray))
