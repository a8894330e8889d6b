"""The study views: the map of prerequisites, the study order and the night-before list.

- The map: Graphviz lays every tile out (one cluster per layer, prerequisite edges drawn as their transitive
  reduction); the gallery shows it as inline SVG that pans and zooms (svg-pan-zoom, from node_modules, pinned in
  package-lock.json and copied into the site's static folder), and the poster is the same layout as PDF and PNG.
- The study order: the spec's phases, each with its reason and its tiles.
- The night-before list: every key point that carries a priority, with its formula, as a page and as a PDF
  (WeasyPrint, from a Jinja template, real text).

Everything is written by the site stage (`python -m render site`) into build/site: map.html, study-order.html,
night-before.html, and study/ (map-poster.pdf, map-poster.png, night-before.pdf). Graphviz and WeasyPrint run
only when what they read changed (a digest in study/.stamp).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from render.exports.gallery import Gallery, write_if_changed
from render.files import atomic_copy, atomic_path, atomic_write_text
from render.plan import ROOT
from spec import Spec
from spec.tile import PRIORITIES

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger(__name__)
PAN_ZOOM = ROOT / "node_modules" / "svg-pan-zoom" / "dist" / "svg-pan-zoom.min.js"
STUDY = "study"  # the folder of the printable files under the site
POSTER_PDF, POSTER_PNG, NIGHT_PDF = "map-poster.pdf", "map-poster.png", "night-before.pdf"
PAGES = ("map.html", "study-order.html", "night-before.html")
POSTER_DPI = 150  # the PNG: about 4700 px wide for the whole map (31 inches at 150 dpi)
LABEL_WIDTH = 20  # characters a node's title is wrapped at

# Colours of the poster (print: white paper); the page's SVG is coloured by gallery.css in either theme.
LAYER_FILLS = ("#e8f1fb", "#eaf6ee", "#fdf3e1", "#f3ecfa", "#e6f5f5", "#fbeaf0", "#eef0f4", "#fbeee6")


class StudyError(Exception):
    """A study view cannot be built (a tool or a file it needs is missing)."""


# ---------------------------------------------------------------- the graph


def requires_of(spec: Spec) -> dict[str, list[str]]:
    """Each tile's direct prerequisites, in seed order, without repeats."""
    return {t.id: list(dict.fromkeys(t.requires)) for _, t in spec.tiles()}


def ancestors(requires: dict[str, list[str]], tid: str) -> set[str]:
    """Everything tid requires, transitively (tid itself is not included)."""
    seen: set[str] = set()
    stack = list(requires.get(tid, []))
    while stack:
        r = stack.pop()
        if r not in seen:
            seen.add(r)
            stack += requires.get(r, [])
    return seen


def reduction(requires: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The transitive reduction of the prerequisites, as (prerequisite, tile) edges in seed order.

    An edge r -> t is dropped when r is also reached through another prerequisite of t (the graph has no cycle:
    validation refuses one), so the map draws only the edges that carry information.
    """
    edges = []
    for tid, reqs in requires.items():
        via = {a for r in reqs for a in ancestors(requires, r)}
        edges += [(r, tid) for r in reqs if r not in via]
    return edges


# ---------------------------------------------------------------- the views' data


@dataclass(frozen=True)
class NodeView:
    """One tile on the map and in the lists."""

    id: str
    number: int
    title: str
    layer_id: str
    layer_title: str
    state: str  # rendered, planned or unrendered (as in the gallery)
    requires: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.number:02d} " + self.title


@dataclass(frozen=True)
class PhaseView:
    number: int
    name: str
    reason: str
    tiles: tuple[NodeView, ...]


@dataclass(frozen=True)
class PointView:
    """One key point of the night-before list."""

    point: str
    formula: str | None
    priority: str
    tile: NodeView


@dataclass(frozen=True)
class PriorityGroup:
    key: str  # must, should, design
    label: str  # must know cold, ...
    points: tuple[PointView, ...]


@dataclass(frozen=True)
class Study:
    """Everything the study templates see."""

    nodes: tuple[NodeView, ...]
    edges: tuple[tuple[str, str], ...]
    phases: tuple[PhaseView, ...]
    groups: tuple[PriorityGroup, ...]

    def node(self, tid: str) -> NodeView:
        return next(n for n in self.nodes if n.id == tid)

    @property
    def ordered(self) -> list[NodeView]:
        """Every tile in study order: the phases' order, else seed order."""
        if self.phases:
            return [t for p in self.phases for t in p.tiles]
        return list(self.nodes)

    @property
    def point_count(self) -> int:
        return sum(len(g.points) for g in self.groups)

    def data(self) -> dict[str, Any]:
        """The JSON-safe record the map script reads: each tile's title, layer, state and direct prerequisites."""
        return {"tiles": {n.id: {"number": n.number, "title": n.title, "layer": n.layer_id, "state": n.state,
                                 "requires": list(n.requires)} for n in self.nodes}}


def study(spec: Spec, gallery: Gallery) -> Study:
    """The map's nodes and edges, the phases and the night-before points, from the spec and the gallery's views."""
    reqs = requires_of(spec)
    nodes = tuple(NodeView(t.id, t.number, t.title, t.layer_id, t.layer_title, t.state, tuple(reqs[t.id]))
                  for t in gallery.tiles)
    by_id = {n.id: n for n in nodes}
    phases = tuple(PhaseView(i, p.name, p.reason, tuple(by_id[t] for t in p.tiles))
                   for i, p in enumerate(spec.phases, start=1))
    order = [t for p in phases for t in p.tiles] or list(nodes)
    groups = []
    for key, label in PRIORITIES.items():
        points = [PointView(kp.point, kp.formula, key, node)
                  for node in order for kp in spec.tile(node.id)[1].key_points or [] if kp.priority == key]
        groups.append(PriorityGroup(key, label, tuple(points)))
    return Study(nodes, tuple(reduction(reqs)), phases, tuple(groups))


# ---------------------------------------------------------------- the map: Graphviz


def _q(text: str) -> str:
    """A DOT string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def map_dot(s: Study, poster: bool = False) -> str:
    """The map as DOT: one cluster per layer, a box per tile (linking to its player), the reduced edges.

    poster: colours for print (the page's SVG is coloured by CSS instead, in either theme), and links from
    study/ to the tiles' pages (the page's links open the gallery's player).
    """
    href = "../t/{}.html" if poster else "index.html#/{}"
    font = "Inter"
    out = [
        "digraph studymap {",
        f'  graph [rankdir=TB, nodesep=0.18, ranksep=0.55, fontname={_q(font)}, fontsize=20, pad=0.3, '
        f'newrank=true, compound=true, bgcolor={_q("white" if poster else "transparent")}];',
        f'  node [shape=box, style="rounded,filled", fontname={_q(font)}, fontsize=13, margin="0.12,0.06", '
        f'penwidth=1.2, color="#5c6a86", fillcolor="white", fontcolor="#14181f"];',
        '  edge [color="#5c6a86", penwidth=1.1, arrowsize=0.7];',
    ]
    layers: dict[str, list[NodeView]] = {}
    for n in s.nodes:
        layers.setdefault(n.layer_id, []).append(n)
    for li, (lid, members) in enumerate(layers.items()):
        fill = LAYER_FILLS[li % len(LAYER_FILLS)]
        out.append(f"  subgraph cluster_{li} {{")
        out.append(f'    graph [label={_q(f"{li + 1} {members[0].layer_title}")}, id={_q("layer-" + lid)}, '
                   f'class={_q("layer")}, style="rounded,filled", fillcolor={_q(fill)}, color="#b8c0cf", '
                   f'fontcolor="#14181f", labeljust=l, margin=14];')
        for n in members:
            label = "\n".join(textwrap.wrap(n.label, LABEL_WIDTH)) or n.label
            cls = f"tile-node {n.state}"
            style = '"rounded,filled,dashed"' if n.state == "planned" else '"rounded,filled"'
            out.append(f"    {_q(n.id)} [label={_q(label)}, id={_q('node-' + n.id)}, class={_q(cls)}, "
                       f"style={style}, URL={_q(href.format(n.id))}, tooltip={_q(n.title)}];")
        out.append("  }")
    for a, b in s.edges:
        out.append(f"  {_q(a)} -> {_q(b)} [id={_q(f'edge-{a}--{b}')}, class={_q('req')}];")
    out.append("}")
    return "\n".join(out) + "\n"


def run_dot(dot: str, fmt: str, *extra: str) -> bytes:
    """Run Graphviz's dot on DOT text; a StudyError naming the package when it is missing or fails."""
    exe = shutil.which("dot")
    if exe is None:
        raise StudyError("Graphviz's dot is not installed: run `make deps` (Debian package graphviz)")
    res = subprocess.run([exe, f"-T{fmt}", *extra], input=dot.encode(), capture_output=True, timeout=300)
    if res.returncode != 0:
        raise StudyError(f"dot -T{fmt} failed: {res.stderr.decode(errors='replace').strip()}")
    return res.stdout


SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}"


def inline_svg(svg: bytes, s: Study) -> str:
    """Graphviz's SVG made fit for an HTML page: no prolog or comments, sized by CSS, named links.

    Each node's <title> (its DOT name) becomes the tile's title, and its link gets the tile's id and an
    accessible name (number, title, and whether it is planned); the <title>s of edges and clusters, which only
    repeat DOT names, are dropped.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, remove_comments=True)
    root = etree.fromstring(svg, parser)
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("id", "map-svg")
    root.set("class", "map-svg")
    by_id = {n.id: n for n in s.nodes}
    for g in root.iter(f"{{{SVG_NS}}}g"):
        classes = (g.get("class") or "").split()
        title = g.find(f"{{{SVG_NS}}}title")
        if "tile-node" in classes:
            n = by_id[g.get("id", "").removeprefix("node-")]
            if title is not None:
                title.text = n.title
            for a in g.iter(f"{{{SVG_NS}}}a"):
                a.attrib.pop(f"{XLINK}title", None)
                a.set("data-tile", n.id)
                note = {"planned": ", planned", "unrendered": ", not rendered yet"}.get(n.state, "")
                a.set("aria-label", n.label + note)
        elif title is not None:
            g.remove(title)
    return etree.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- writing the views


def pan_zoom_script() -> Path:
    """svg-pan-zoom's minified classic script from node_modules, or a StudyError naming the command to run."""
    if not PAN_ZOOM.is_file():
        raise StudyError(f"svg-pan-zoom is not installed ({PAN_ZOOM} is missing): run `make node-deps`")
    return PAN_ZOOM


def night_before_pdf(env: jinja2.Environment, g: Gallery, s: Study) -> bytes:
    """The night-before list as a PDF (WeasyPrint): "must" first, from page 1, as real text."""
    import weasyprint  # here: it loads Pango, which a no-op run never needs

    return weasyprint.HTML(string=night_before_html(env, g, s)).write_pdf()


def night_before_html(env: jinja2.Environment, g: Gallery, s: Study) -> str:
    """The print page of the night-before list; its links are relative to study/ in the site (../t/<id>.html)."""
    return env.get_template("night-before-print.html.j2").render(g=g, s=s, by_tile=by_tile, tile_href="../t/")


def by_tile(points: tuple[PointView, ...]) -> list[tuple[NodeView, list[PointView]]]:
    """Consecutive points grouped under their tile (the points come in study order)."""
    out: list[tuple[NodeView, list[PointView]]] = []
    for p in points:
        if out and out[-1][0].id == p.tile.id:
            out[-1][1].append(p)
        else:
            out.append((p.tile, [p]))
    return out


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes through a temp file and an atomic rename."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


def write_study_views(spec: Spec, g: Gallery, site: Path, env: jinja2.Environment) -> list[Path]:
    """Write the map, study order and night-before pages, and the poster and night-before PDFs; return them."""
    s = study(spec, g)
    atomic_copy(pan_zoom_script(), site / "static" / "svg-pan-zoom.min.js")
    page_dot = map_dot(s)
    poster_dot = map_dot(s, poster=True)
    folder = site / STUDY
    folder.mkdir(parents=True, exist_ok=True)
    import weasyprint

    print_html = night_before_html(env, g, s)
    stamp = _digest(page_dot, poster_dot, print_html, weasyprint.__version__, str(POSTER_DPI))
    files = [folder / POSTER_PDF, folder / POSTER_PNG, folder / NIGHT_PDF]
    svg_cache = folder / ".map.svg"
    try:
        fresh = (folder / ".stamp").read_text(encoding="utf-8") == stamp and all(f.is_file() for f in files) \
            and svg_cache.is_file()
    except OSError:
        fresh = False
    if fresh:
        svg = svg_cache.read_text(encoding="utf-8")
    else:
        (folder / ".stamp").unlink(missing_ok=True)
        svg = inline_svg(run_dot(page_dot, "svg"), s)
        atomic_write_bytes(folder / POSTER_PDF, run_dot(poster_dot, "pdf"))
        atomic_write_bytes(folder / POSTER_PNG, run_dot(poster_dot, "png", f"-Gdpi={POSTER_DPI}"))
        atomic_write_bytes(folder / NIGHT_PDF, night_before_pdf(env, g, s))
        atomic_write_bytes(svg_cache, svg.encode())
        atomic_write_text(folder / ".stamp", stamp)
        log.info("study views: map of %d tiles and %d arrows, poster, night-before list of %d points, in %s",
                 len(s.nodes), len(s.edges), s.point_count, folder)
    pages = []
    for name in PAGES:
        html = env.get_template(name + ".j2").render(g=g, s=s, svg=svg, root="", study=STUDY, view=name)
        write_if_changed(site / name, html)
        pages.append(site / name)
    return pages + files
