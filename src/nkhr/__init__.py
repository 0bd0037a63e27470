"""Helpers for the North Korea human-rights workbook: data, charts, exercises, grading.

Importing the package has no side effects; lessons import the submodules they use.
"""

__version__ = "0.1.0"
ANSWER_MIME = "application/vnd.nkhr.answer+json"
