"""``aidaily extract``: what one adapter extracts from one saved feed/page (or a URL).

For operators fixing a changed layout: point it at the saved response (an archive or
mirror file, or a live URL) and see the items, titles, times, links and clean text the
adapter gets out of it. Only typer/stdlib are imported at module level.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer

from aidaily.cli.common import console
from aidaily.cli.common import settings as load_settings_for
from aidaily.errors import AidailyError, BlockedURLError, ExtractError, FetchError

EXTRACT_HELP = (
    "Print what a source adapter extracts from one saved feed or page (a file) or from a URL "
    "(fetched once with the source's user agent, under the same rules as a run: the URL map "
    "of aidaily.toml / AIDAILY_URL_MAP, no private or loopback addresses, the size cap and "
    "time limit). hubtoday files are daily pages (listings); "
    "for the other sources an RSS/Atom document is a listing and an HTML page an article, "
    "unless --kind says otherwise."
)


def extract_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(metavar="FILE_OR_URL", help="A saved feed/page, or an http(s) URL.")],
    source: Annotated[str, typer.Option("--source", "-s", help="Adapter: ithome, qbitai, hubtoday or a configured feed name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object instead of a table.")] = False,
    kind: Annotated[str | None, typer.Option("--kind", help="listing or article (default: detect).")] = None,
    url: Annotated[str | None, typer.Option("--url", help="The page's original URL, when TARGET is a file (default: the file path).")] = None,
) -> None:
    """Run one adapter on one document (see ``EXTRACT_HELP``)."""
    if kind not in (None, "listing", "article"):
        raise typer.BadParameter("--kind must be 'listing' or 'article'", param_hint="--kind")
    try:
        settings = load_settings_for(ctx)
        # deferred: zoneinfo; `aidaily --help` loads typer alone
        from sources import get_source

        adapter = get_source(source, settings)
        text, page_url = _read(target, adapter, settings)
        result = run_extract(adapter, page_url if url is None else url, text, kind)
    except AidailyError as exc:
        # deferred: rich; `aidaily --help` loads typer alone
        from rich.markup import escape

        # soft_wrap: one line however long, so it can be grepped; escape: URLs may hold [].
        console(stderr=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                                   soft_wrap=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_table(result)


def run_extract(adapter: Any, url: str, text: str, kind: str | None = None) -> dict[str, Any]:
    """The JSON-able result of running ``adapter`` on ``text`` (the CLI's core, testable).

    Raises:
        ExtractError: the adapter could not read the document.
    """
    # deferred: lxml; `aidaily --help` loads typer alone
    from sources.html_utils import looks_like_xml_feed

    if kind is None:
        kind = "listing" if adapter.name == "hubtoday" or looks_like_xml_feed(text) else "article"
    if kind == "listing":
        listing = adapter.parse_listing(url, text)
        items = [_article_dict(a) for a in listing.articles]
        items += [_entry_dict(e) for e in listing.entries]
    else:
        items = [_article_dict(adapter.parse_article(url, text))]
    return {"source": adapter.name, "kind": kind, "url": url, "count": len(items), "items": items}


def _read(target: str, adapter: Any, settings: Any) -> tuple[str, str]:
    """(text, url) of a file or a URL; ExtractError / FetchError when unreadable."""
    # deferred: httpx, rich, pygments, protego; `aidaily --help` loads typer alone
    from aidaily.ingest.fetch import decode_body

    if target.startswith(("http://", "https://")):
        return _fetch(target, adapter, settings), target
    path = Path(target)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{target}: cannot read file: {exc.strerror or exc}") from None
    content_type = _sidecar_content_type(path)
    return decode_body(body, content_type)[0], url_for_file(path)


def url_for_file(path: Path) -> str:
    """The original URL of a file in the mirror layout (``…/www.ithome.com/0/914/192.htm``
    → ``https://www.ithome.com/0/914/192.htm``), else the path itself."""
    # deferred: http.server; `aidaily --help` loads typer alone
    from aidaily.ingest.mirror import INDEX_NAME

    parts = path.resolve().parts if not path.is_absolute() else path.parts
    for i, part in enumerate(parts[:-1]):  # a host is a directory, never the file name
        if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", part):
            rest = "/".join(parts[i + 1:])
            rest = rest.removesuffix(INDEX_NAME)
            return f"https://{part}/{quote(rest, safe='/?=&')}"
    return str(path)


def _sidecar_content_type(path: Path) -> str | None:
    """The Content-Type of a mirror/record ``<file>.headers.json`` sidecar, if any."""
    # deferred: http.server; `aidaily --help` loads typer alone
    from aidaily.ingest.mirror import HEADERS_SUFFIX

    sidecar = path.with_name(path.name + HEADERS_SUFFIX)
    try:
        headers = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if str(key).lower() == "content-type":
            return str(value)
    return None


def _fetch(url: str, adapter: Any, settings: Any) -> str:
    """The text of one GET through the fetcher a run uses (``aidaily.ingest.fetch``: URL
    map, address policy on the URL and every redirect, robots.txt, size cap, retries),
    with the source's user agent; nothing is archived. ``[fetch] timeout`` bounds the whole
    of it, retries included: one command, one time limit (a run's pages may each retry).
    FetchError when refused, failed or out of time."""
    # deferred: httpx, rich, pygments, protego; `aidaily --help` loads typer alone
    import asyncio

    from aidaily.ingest.fetch import Fetcher, FetchResult

    limit = settings.fetch.timeout

    async def get() -> FetchResult:
        async with Fetcher(settings.fetch) as fetcher:
            try:
                async with asyncio.timeout(limit):
                    return await fetcher.fetch(url, source=adapter.name, user_agent=adapter.user_agent,
                                               conditional=False)
            except TimeoutError:
                raise FetchError(url, f"timed out after {limit:g} s in all, retries included "
                                      "([fetch] timeout)") from None

    try:
        return asyncio.run(get()).text
    except BlockedURLError as exc:
        raise BlockedURLError(exc.url, f"{exc.message} (a local copy of a site is read through "
                              "the URL map: [fetch] url_map or AIDAILY_URL_MAP)") from None


def _article_dict(article: Any) -> dict[str, Any]:
    return {
        "title": article.title,
        "url": article.url,
        "section": article.section,
        "links": list(article.links),
        "published": article.published.isoformat() if article.published else None,
        "author": article.author,
        "origin": article.origin,
        "editor": article.editor,
        "images": list(article.images),
        "tags": list(article.tags),
        "ai_relevant": article.ai_relevant,
        "text": article.text,
    }


def _entry_dict(entry: Any) -> dict[str, Any]:
    # deferred: lxml; `aidaily --help` loads typer alone
    from sources.html_utils import html_to_text

    return {
        "title": entry.title,
        "url": entry.url,
        "section": "",
        "links": [],
        "published": entry.published.isoformat() if entry.published else None,
        "text": html_to_text(entry.content_html or entry.summary),
    }


def _print_table(result: dict[str, Any]) -> None:
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.table import Table

    out = console()
    table = Table(title=f"{result['source']} · {result['kind']} · {result['count']} item(s)",
                  show_lines=True)
    for column in ("#", "title", "published", "section", "links", "text"):
        table.add_column(column, overflow="fold")
    # one article: show all its text; a listing: the start of each item's
    limit = None if result["kind"] == "article" else 160
    for n, item in enumerate(result["items"], start=1):
        text = item["text"].replace("\n", " ⏎ ")
        if limit is not None and len(text) > limit:
            text = text[:limit] + "…"
        table.add_row(
            str(n), item["title"], item["published"] or "", item.get("section") or "",
            "\n".join(item.get("links") or []), text,
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    app.command("extract", help=EXTRACT_HELP)(extract_command)
