"""Stage 6: index a rendered site with Pagefind for client-side search.

Runs the Pagefind binary shipped by the ``pagefind[bin]`` package through its
Python API. Only pages marked ``data-pagefind-body`` (the article pages) are
indexed; their ``data-pagefind-filter`` (topic, spokesperson) and
``data-pagefind-meta`` (title, standfirst) attributes become filters and
result fields. Writes ``pagefind/`` inside the given site folder and nothing
else.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from .errors import BuildError

__all__ = ["index_site"]

log = logging.getLogger(__name__)


def index_site(site_dir: Path, language: str = "en") -> int:
    """Index the site under ``site_dir``; returns the number of pages in the index."""
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError as exc:  # pragma: no cover - a broken install, not a content problem
        raise BuildError("search needs the pagefind package: pip install 'pagefind[bin]'") from exc
    config = IndexConfig(output_path=str(site_dir / "pagefind"), force_language=language.split("-")[0])
    try:
        return asyncio.run(_index(site_dir, config, PagefindIndex))
    except Exception as exc:
        if isinstance(exc, BuildError):
            raise
        raise BuildError(f"Pagefind failed to index {site_dir}: {exc}") from exc


async def _index(site_dir: Path, config: dict, index_class: type) -> int:
    async with index_class(config=config) as index:
        result = await index.add_directory(str(site_dir.resolve()))
        log.debug("pagefind read %d pages", result.get("page_count", 0))
    # Pagefind reads every page but indexes only those with data-pagefind-body:
    # one fragment file per indexed page.
    return len(list((site_dir / "pagefind" / "fragment").glob("*.pf_fragment")))
