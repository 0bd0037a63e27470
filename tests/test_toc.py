"""The README's lesson table is generated from the notebooks: fail when it is stale."""

from nkhr.toc import lessons_table, updated_readme


def test_readme_lesson_table_is_current(root) -> None:
    text = (root / "README.md").read_text(encoding="utf-8")
    assert updated_readme(text, lessons_table(root)) == text, "run `workbook toc` (or `make build`)"


def test_every_lesson_has_a_title(root) -> None:
    for row in lessons_table(root).splitlines()[2:]:
        assert "[Lesson " in row, row
