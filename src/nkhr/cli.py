"""The ``workbook`` command: a thin layer over keyword-only functions in the package."""

from __future__ import annotations

import argparse
import sys

from .bank import BankError


def _build(args: argparse.Namespace) -> int:
    from .build import build

    written = build(args.sets or None, run=not args.no_execute, force=args.force)
    if args.lessons:
        from .build import execute_lessons

        written += execute_lessons()
    if not written:
        print("Everything is up to date.")
    return 0


def _toc(args: argparse.Namespace) -> int:
    from .toc import write_toc

    print("README.md lesson table updated." if write_toc() else "README.md lesson table is up to date.")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .release import ReleaseError, release

    try:
        dest = release(args.dest)
    except ReleaseError as exc:
        print(f"workbook release: {exc}", file=sys.stderr)
        return 2
    print(f"Student release written to {dest}: lessons, exercise sets, readings and the helper package "
          "(no solutions/, tests or benchmarks). Students run `make lab` in it.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbook`` console command."""
    parser = argparse.ArgumentParser(prog="workbook", description="North Korea human-rights workbook tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="generate exercises/ (student build) from solutions/*.toml")
    p_build.add_argument("sets", nargs="*", help="exercise set ids (default: all)")
    p_build.add_argument("--no-execute", action="store_true", help="do not run the instructor notebooks")
    p_build.add_argument("--force", action="store_true", help="re-run every instructor notebook, changed or not")
    p_build.add_argument("--lessons", action="store_true", help="also re-run every lesson in notebooks/ in place")
    p_build.set_defaults(func=_build)
    sub.add_parser("toc", help="regenerate the lesson table in README.md").set_defaults(func=_toc)
    p_release = sub.add_parser("release", help="write what students get (no solutions/) into a new folder")
    p_release.add_argument("dest", help="a new or empty folder outside the workbook")
    p_release.set_defaults(func=_release)
    from .grade import add_parser as add_grade_parser  # the grading command (nkhr.grade)

    add_grade_parser(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (BankError, FileNotFoundError) as exc:
        print(f"workbook: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
