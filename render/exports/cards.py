"""The flashcards' part of the gallery: the FSRS scheduler copied from node_modules and the Review page.

Every interview question with a model answer is a card (site/static/cards.js); ts-fsrs, pinned in
package-lock.json, schedules them. Its UMD build is a classic script, so the pages load it from file:// too; the site stage minifies it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from render.plan import ROOT

if TYPE_CHECKING:
    import jinja2

    from render.exports.gallery import Gallery

log = logging.getLogger(__name__)
FSRS_PACKAGE = ROOT / "node_modules" / "ts-fsrs"
FSRS_UMD = FSRS_PACKAGE / "dist" / "index.umd.js"
FSRS_NAME = "ts-fsrs.umd.js"  # under the site's static/
REVIEW_PAGE = "review.html"


def vendor_scheduler(site: Path) -> str:
    """Copy ts-fsrs's UMD build into site/static; return its URL under static/, or "" when it is not installed."""
    if not FSRS_UMD.is_file():
        where = FSRS_UMD.relative_to(ROOT) if FSRS_UMD.is_relative_to(ROOT) else FSRS_UMD
        log.warning("gallery: %s is missing, so the flashcards cannot be scheduled; run `make node-deps` "
                    "(npm ci), then `make site`", where)
        (site / "static" / FSRS_NAME).unlink(missing_ok=True)
        return ""
    try:
        version = str(json.loads((FSRS_PACKAGE / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        version = "0"
    # Minified by esbuild (the UMD build is not): a new file, so nothing done to the site may change node_modules.
    from render.exports.gallery import write_if_changed
    from render.exports.webassets import minify

    write_if_changed(site / "static" / FSRS_NAME, minify([FSRS_UMD], FSRS_UMD.parent)[Path(FSRS_UMD.name)].decode())
    return f"{FSRS_NAME}?v={version}"


def write_review(env: jinja2.Environment, gallery: Gallery, site: Path) -> Path:
    """Write the Review page (today's due cards, grouped by tile) at the site's root."""
    from render.exports.gallery import write_if_changed

    page = site / REVIEW_PAGE
    write_if_changed(page, env.get_template("review.html.j2").render(g=gallery, root=""))
    return page
