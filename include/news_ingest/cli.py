"""The news-ingest command line: the stages outside Airflow, JSON in and out."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from news_ingest import __version__
from news_ingest.config import FeedListError, load_feed_list
from news_ingest.settings import Settings


class CliError(Exception):
    """Bad input or a failed fetch: reported as one line, exit status 2."""


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _html_of(args: argparse.Namespace) -> bytes:
    """The page's bytes: from the file named, stdin ("-"), or fetched from ``--url``."""
    if args.source is None:
        if args.url is None:
            raise CliError("give an HTML file, - for stdin, or --url to fetch the page")
        from news_ingest.http import Fetcher, FetchError

        try:
            with Fetcher(Settings.from_env()) as fetcher:
                response = fetcher.get(args.url)
        except FetchError as exc:
            raise CliError(f"cannot fetch {args.url}: {exc}") from exc
        if response.status != 200:
            raise CliError(f"cannot fetch {args.url}: HTTP {response.status}")
        return response.body
    if args.source == "-":
        if sys.stdin.isatty():
            raise CliError("refusing to read HTML from a terminal: pipe a page in, or name a file")
        return sys.stdin.buffer.read()
    try:
        return Path(args.source).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.source}: {exc.strerror or exc}") from exc


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the article columns extracted from one page, named as in the Parquet."""
    from dataclasses import asdict

    from news_ingest.extract import extract_article

    body = _html_of(args)
    if args.url:
        url = args.url
    elif args.source not in (None, "-"):
        url = Path(args.source).resolve().as_uri()
    else:
        url = "file:///dev/stdin"
    article = asdict(extract_article(body, url))
    article["published_at"] = article.pop("page_published_at")
    article["date_source"] = article.pop("page_date_source")
    article["url"] = url
    print(json.dumps(article, default=_json_default, ensure_ascii=False))
    if not article["text"]:
        where = args.source if args.source not in (None, "-") else url
        print(f"news-ingest extract: warning: no article text in {where}", file=sys.stderr)
        return 1
    return 0


@dataclass(frozen=True)
class _Doc:
    id: str
    text: str
    title: str | None
    published_at: datetime | None


def _read_docs(lines: Iterable[bytes]) -> Iterator[_Doc | str]:
    """The documents of a JSON Lines stream (UTF-8), or for a bad line the message to report."""
    for lineno, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield f"line {lineno}: skipped: not UTF-8 (byte 0x{raw[exc.start]:02x} at {exc.start})"
            continue
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise TypeError("a line must be a JSON object")
            text, title, published = doc["text"], doc.get("title"), doc.get("published_at")
            if not isinstance(text, str):
                raise TypeError(f'"text" must be a string, not {type(text).__name__}')
            if title is not None and not isinstance(title, str):
                raise TypeError(f'"title" must be a string, not {type(title).__name__}')
            if published is not None and not isinstance(published, str):
                raise TypeError('"published_at" must be an ISO 8601 string')
            yield _Doc(str(doc["id"]), text, title, _parse_time(published))
        except (ValueError, KeyError, TypeError) as exc:
            yield f"line {lineno}: skipped: {type(exc).__name__}: {exc}"


def _stdin_lines() -> BinaryIO:
    if sys.stdin.isatty():
        raise CliError("refusing to read JSON Lines from a terminal: pipe them in")
    return sys.stdin.buffer


def _print_rows_of_docs(rows_of: Callable[[_Doc], Iterable[dict[str, Any]]]) -> int:
    """For each document of the JSON Lines on stdin, its rows as JSON lines on stdout; a
    bad line is reported on stderr and the rest goes on (exit status 1)."""
    status = 0
    for doc in _read_docs(_stdin_lines()):
        if isinstance(doc, str):
            print(doc, file=sys.stderr)
            status = 1
            continue
        for row in rows_of(doc):
            print(json.dumps({"id": doc.id, **row}, default=_json_default, ensure_ascii=False))
    return status


def cmd_events(args: argparse.Namespace) -> int:
    """Read JSON Lines documents on stdin and print one JSON line per event."""
    from news_ingest.events import extract_events

    return _print_rows_of_docs(
        lambda doc: (
            e.as_row() for e in extract_events(doc.id, doc.text, doc.published_at, doc.title)
        )
    )


def cmd_places(args: argparse.Namespace) -> int:
    """Read JSON Lines documents on stdin and print one JSON line per place mention."""
    from news_ingest.places import find_places

    return _print_rows_of_docs(lambda doc: (m.as_json() for m in find_places(doc.text, doc.title)))


def cmd_feeds_check(args: argparse.Namespace) -> int:
    """Validate the feed list and print a one-line verdict."""
    path = args.file or Settings.from_env().feeds_path
    try:
        feeds = load_feed_list(path)
    except FeedListError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    print(f"ok: {len(feeds)} feeds in {path}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    """Print each NEWS_* variable's effective value (secrets masked) and what it means."""
    from news_ingest.settings import effective_settings

    rows = effective_settings()
    width = max(len(name) for name, _value, _meaning in rows)
    for name, value, meaning in rows:
        print(f"{name:<{width}}  {value or '(unset)'}  # {meaning}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``news-ingest``."""
    parser = argparse.ArgumentParser(prog="news-ingest", description=__doc__)
    parser.add_argument("--version", action="version", version=f"news-ingest {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    extract = sub.add_parser(
        "extract",
        help="extract an article from an HTML file, stdin (-) or a page fetched from --url",
    )
    extract.add_argument("source", nargs="?", help="an HTML file, or - for stdin")
    extract.add_argument("--url", help="the page's URL: fetched (politely) when no file is given")
    extract.set_defaults(func=cmd_extract)
    events = sub.add_parser("events", help="extract events from JSON Lines on stdin")
    events.set_defaults(func=cmd_events)
    places = sub.add_parser("places", help="find and resolve place names in JSON Lines on stdin")
    places.set_defaults(func=cmd_places)
    config = sub.add_parser("config", help="print the effective settings, secrets masked")
    config.set_defaults(func=cmd_config)
    feeds = sub.add_parser("feeds", help="feed list commands")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True)
    check = feeds_sub.add_parser("check", help="validate the feed list")
    check.add_argument("--file", help="feed list (default: NEWS_FEEDS; see news-ingest config)")
    check.set_defaults(func=cmd_feeds_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``news-ingest``: exit 0, 1 for bad lines or no text, 2 for bad input."""
    # JSON Lines are UTF-8 whatever the locale says.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except (CliError, ValueError) as exc:
        print(f"news-ingest {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`news-ingest config | head`): stop quietly, as cat does.
        # stdout is pointed at /dev/null so that the interpreter's last flush cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
