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


def _site(args: argparse.Namespace) -> int:
    import subprocess

    from .site import build, folder_size

    try:
        timings = build(args.dest, lite=not args.no_lite)
    except (FileNotFoundError, OSError) as exc:
        print(f"workbook site: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"workbook site: this step failed (see its messages above): {' '.join(map(str, exc.cmd))}",
              file=sys.stderr)
        return 2
    parts = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    print(f"Site written to {args.dest} ({folder_size(args.dest) / 1e6:.0f} MB; {parts}). "
          f"Serve it with: python -m http.server -d {args.dest} -b 127.0.0.1 8000")
    return 0


def _link(args: argparse.Namespace) -> int:
    from .links import LinkError, links

    try:
        found = links(args.target, repo=args.repo, branch=args.branch, hub=args.hub, site=args.site)
    except LinkError as exc:
        print(f"workbook link: {exc}", file=sys.stderr)
        return 2
    for name, url in found.items():
        print(f"{name}: {url}")
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
    p_site = sub.add_parser("site", help="build the no-install web edition (reading site + browser app)")
    p_site.add_argument("dest", nargs="?", default="_site", help="output folder (default: _site; replaced)")
    p_site.add_argument("--no-lite", action="store_true", help="reading site only, no browser app")
    p_site.set_defaults(func=_site)
    p_link = sub.add_parser("link", help="print nbgitpuller, Binder and browser-app links for a lesson or set")
    p_link.add_argument("target", help="a lesson or set id, e.g. 03 or 03-un-mechanisms")
    p_link.add_argument("--repo", default=None, help="public git URL of the workbook (default: from pyproject)")
    p_link.add_argument("--branch", default="main")
    p_link.add_argument("--hub", default=None, help="your JupyterHub's address, e.g. https://hub.example.edu")
    p_link.add_argument("--site", default=None, help="where _site is published, e.g. https://example.org/nkhr")
    p_link.set_defaults(func=_link)
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
