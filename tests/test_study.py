"""The study views without a browser: phases validation (exact messages), the map's graph and its SVG, the PDFs.

The map and the PDFs are made from the real diagrams.yaml by real Graphviz and WeasyPrint (no render needed:
they read the spec), once for the module.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from render.exports import gallery as gallery_module
from render.exports import studymap
from render.exports.gallery import build_site, context, get_env
from render.exports.studymap import ancestors, inline_svg, map_dot, reduction, requires_of, run_dot, study
from spec import Spec, SpecInvalid, load_spec, parse_spec
from tests.conftest import ROOT, TILE_COUNT, spec_text

SVG = "{http://www.w3.org/2000/svg}"

# Four planned tiles: b requires a, c requires a and b, d requires c.
TILES = """\
- {id: alpha, title: Alpha, tagline: First., status: planned}
- {id: beta, title: Beta, tagline: Second., status: planned, requires: [alpha]}
- {id: gamma, title: Gamma, tagline: Third., status: planned, requires: [alpha, beta]}
- {id: delta, title: Delta, tagline: Fourth., status: planned, requires: [gamma]}
"""


def with_phases(phases: str) -> str:
    return spec_text(TILES) + "phases:\n" + textwrap.indent(textwrap.dedent(phases), "  ")


def errors_of(text: str) -> list[str]:
    with pytest.raises(SpecInvalid) as exc:
        parse_spec(text, "diagrams.yaml")
    return [str(e) for e in exc.value.errors]


GOOD = """\
- {name: First, reason: The base., tiles: [alpha, beta]}
- {name: Second, reason: On top., tiles: [gamma, delta]}
"""


def test_phases_in_prerequisite_order_validate() -> None:
    spec = parse_spec(with_phases(GOOD))
    assert [(p.name, p.reason, p.tiles) for p in spec.phases] == [
        ("First", "The base.", ["alpha", "beta"]), ("Second", "On top.", ["gamma", "delta"])]


def test_a_spec_without_phases_has_no_study_order() -> None:
    assert parse_spec(spec_text(TILES)).phases == []


def test_a_tile_in_a_phase_before_its_prerequisite_is_an_error() -> None:
    text = with_phases("""\
        - {name: First, reason: The base., tiles: [alpha, gamma]}
        - {name: Second, reason: On top., tiles: [beta, delta]}
        """)
    assert errors_of(text) == [
        "diagrams.yaml:12: phases[0].tiles[1]: tile 'gamma' is in phase 1 (First), before its prerequisite 'beta' "
        "in phase 2 (Second)"]


def test_a_tile_listed_before_its_prerequisite_in_the_same_phase_is_an_error() -> None:
    text = with_phases("""\
        - {name: First, reason: The base., tiles: [beta, alpha]}
        - {name: Second, reason: On top., tiles: [gamma, delta]}
        """)
    assert errors_of(text) == [
        "diagrams.yaml:12: phases[0].tiles[0]: tile 'beta' is listed before its prerequisite 'alpha' in the same "
        "phase 1 (First)"]


def test_a_tile_in_no_phase_is_named() -> None:
    text = with_phases("""\
        - {name: First, reason: The base., tiles: [alpha, beta]}
        - {name: Second, reason: On top., tiles: [gamma]}
        """)
    assert errors_of(text) == [
        "diagrams.yaml:12: phases: 1 tile(s) in no phase: delta (every tile belongs to exactly one phase)"]


def test_an_unknown_tile_in_a_phase_suggests_the_nearest_id() -> None:
    text = with_phases("""\
        - {name: First, reason: The base., tiles: [alpha, beta]}
        - {name: Second, reason: On top., tiles: [gamma, delta, detla]}
        """)
    assert errors_of(text) == ["diagrams.yaml:13: phases[1].tiles[2]: unknown tile 'detla'; did you mean 'delta'?"]


def test_a_tile_in_two_phases_is_an_error_at_the_second() -> None:
    text = with_phases("""\
        - {name: First, reason: The base., tiles: [alpha, beta]}
        - {name: Second, reason: On top., tiles: [gamma, delta, beta]}
        """)
    assert errors_of(text) == [
        "diagrams.yaml:13: phases[1].tiles[2]: tile 'beta' is already in phase 1 (First); a tile belongs to exactly "
        "one phase"]


def test_a_phase_needs_a_reason_and_tiles() -> None:
    text = with_phases("""\
        - {name: First, tiles: [alpha, beta, gamma, delta]}
        - {name: Second, reason: Empty., tiles: []}
        """)
    assert errors_of(text) == [
        "diagrams.yaml:12: phases[0]: missing field 'reason'",
        "diagrams.yaml:13: phases[1].tiles: List should have at least 1 item after validation, not 0"]


def test_the_real_study_order_holds_every_tile_once_after_its_prerequisites() -> None:
    spec = load_spec(ROOT / "diagrams.yaml")
    order = [t for p in spec.phases for t in p.tiles]
    assert sorted(order) == sorted(t.id for _, t in spec.tiles()) and len(order) == TILE_COUNT
    position = {t: i for i, t in enumerate(order)}
    for _, tile in spec.tiles():
        assert all(position[r] < position[tile.id] for r in tile.requires), tile.id
    assert all(p.reason for p in spec.phases)


# ---------------------------------------------------------------- the graph


def test_the_transitive_reduction_drops_only_implied_edges() -> None:
    reqs = {"alpha": [], "beta": ["alpha"], "gamma": ["alpha", "beta"], "delta": ["gamma", "alpha"]}
    assert reduction(reqs) == [("alpha", "beta"), ("beta", "gamma"), ("gamma", "delta")]
    assert ancestors(reqs, "delta") == {"alpha", "beta", "gamma"}
    assert ancestors(reqs, "alpha") == set()


def closure(reqs: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Every (prerequisite, tile) pair, transitively: computed here by fixed point, not by the module."""
    pairs = {(r, t) for t, rs in reqs.items() for r in rs}
    while True:
        more = {(a, d) for a, b in pairs for c, d in pairs if b == c} - pairs
        if not more:
            return pairs
        pairs |= more


@pytest.fixture(scope="module")
def real() -> tuple[Spec, studymap.Study]:
    spec = load_spec(ROOT / "diagrams.yaml")
    return spec, study(spec, context(spec, Path("/nonexistent")))


def test_the_real_reduction_keeps_the_same_reachability_with_no_redundant_edge(real) -> None:
    spec, s = real
    reqs = requires_of(spec)
    edges = set(s.edges)
    assert closure({t: [a for a, b in edges if b == t] for t in reqs}) == closure(reqs)
    for a, b in edges:  # none is implied by the others
        rest = edges - {(a, b)}
        assert (a, b) not in closure({t: [x for x, y in rest if y == t] for t in reqs})


def boxes(svg: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    """Each node's box (left, top, right, bottom) from the outline Graphviz drew."""
    out = {}
    for g in svg.iter(f"{SVG}g"):
        if "tile-node" in (g.get("class") or "").split():
            d = next(g.iter(f"{SVG}path")).get("d")
            nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", d)]
            xs, ys = nums[0::2], nums[1::2]
            out[g.get("id").removeprefix("node-")] = (min(xs), min(ys), max(xs), max(ys))
    return out


def bezier(p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], p3: tuple[float, float],
           t: float) -> tuple[float, float]:
    u = 1 - t
    return (u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1])


def test_the_map_svg_has_a_node_per_tile_and_an_edge_per_reduced_edge_and_no_overlap(real) -> None:
    spec, s = real
    svg = etree.fromstring(inline_svg(run_dot(map_dot(s), "svg"), s).encode())
    nodes = boxes(svg)
    assert sorted(nodes) == sorted(t.id for _, t in spec.tiles())
    edge_ids = [g.get("id") for g in svg.iter(f"{SVG}g") if "edge" in (g.get("class") or "").split()]
    assert sorted(edge_ids) == sorted(f"edge-{a}--{b}" for a, b in reduction(requires_of(spec)))
    overlaps = [(a, b) for (a, ba), (b, bb) in itertools.combinations(nodes.items(), 2)
                if ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]]
    assert overlaps == []
    # No arrow runs through a node other than its two ends (sampled along its Bézier curve).
    crossed = []
    for g in svg.iter(f"{SVG}g"):
        if "edge" in (g.get("class") or "").split():
            a, b = g.get("id").removeprefix("edge-").split("--")
            nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", next(g.iter(f"{SVG}path")).get("d"))]
            pts = list(zip(nums[0::2], nums[1::2], strict=True))
            samples = [bezier(*pts[i:i + 4], t / 16) for i in range(0, len(pts) - 3, 3) for t in range(17)]
            crossed += [(a, b, n) for n, (x0, y0, x1, y1) in nodes.items() if n not in (a, b)
                        and any(x0 + 1 < x < x1 - 1 and y0 + 1 < y < y1 - 1 for x, y in samples)]
    assert crossed == []
    links = {a.get("data-tile"): a for a in svg.iter(f"{SVG}a")}
    assert sorted(links) == sorted(nodes)
    gd = links["gradient-descent"]
    assert gd.get("{http://www.w3.org/1999/xlink}href") == "index.html#/gradient-descent"
    assert gd.get("aria-label") == f"{spec.number_of('gradient-descent'):02d} Gradient Descent, not rendered yet"


def test_planned_tiles_are_on_the_map_marked_planned() -> None:
    spec = parse_spec(spec_text(TILES))
    s = study(spec, context(spec, Path("/nonexistent")))
    svg = etree.fromstring(inline_svg(run_dot(map_dot(s), "svg"), s).encode())
    planned = sorted(g.get("id") for g in svg.iter(f"{SVG}g") if "planned" in (g.get("class") or "").split())
    assert planned == ["node-alpha", "node-beta", "node-delta", "node-gamma"]
    assert sorted(a.get("aria-label") for a in svg.iter(f"{SVG}a")) == [
        "01 Alpha, planned", "02 Beta, planned", "03 Gamma, planned", "04 Delta, planned"]


# ---------------------------------------------------------------- the site's files
# These write the real PDFs and the poster (WeasyPrint takes about 10 CPU-s for the 463 points): marked `render`,
# slow tier, so the edit loop's fast tier stays fast.


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, real) -> Path:
    """The site of the real spec with nothing rendered: the study views and their printable files."""
    spec, _ = real
    out = tmp_path_factory.mktemp("study") / "site"
    build_site(spec, out.parent / "media", out)
    return out


@pytest.mark.render
def test_the_poster_is_one_large_page_and_a_large_png(site: Path) -> None:
    pdf = pypdf.PdfReader(site / "study" / "map-poster.pdf")
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert float(box.width) > 1684  # wider than A2 (594 mm = 1684 pt)
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "Gradient Descent" in text and "8 AI Security & Governance" in text
    uris = {a.get_object()["/A"]["/URI"] for a in pdf.pages[0]["/Annots"]}
    assert "../t/gradient-descent.html" in uris and len(uris) == TILE_COUNT
    from PIL import Image

    with Image.open(site / "study" / "map-poster.png") as im:
        assert im.width >= 4000


@pytest.mark.render
def test_the_night_before_pdf_has_real_text_with_must_first(site: Path, real) -> None:
    spec, s = real
    pdf = pypdf.PdfReader(site / "study" / "night-before.pdf")
    # The text as one line per page; a word broken at its hyphen across two lines is joined again.
    pages = [re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(p.extract_text().split())) for p in pdf.pages]
    first_must = s.groups[0].points[0]
    assert s.groups[0].key == "must" and first_must.tile.id == spec.phases[0].tiles[0]
    assert f"Must know cold ({len(s.groups[0].points)} points)" in pages[0] and first_must.point in pages[0]
    assert first_must.formula and first_must.formula.replace(" ", "") in pages[0].replace(" ", "")
    # Each priority starts on a new page, after every point of the one before; the footer counts the pages.
    starts = {g.label: next(i for i, p in enumerate(pages) if g.label.capitalize() + " (" in p) for g in s.groups}
    assert starts["must know cold"] == 0 < starts["should know well"] < starts["system design essential"]
    assert pages[-1].endswith(f"page {len(pages)} of {len(pages)}")
    last_must = s.groups[0].points[-1].point
    assert any(last_must in p for p in pages[: starts["should know well"]])
    uris = {a.get_object()["/A"]["/URI"] for a in pdf.pages[0]["/Annots"]}
    assert f"../t/{first_must.tile.id}.html" in uris


@pytest.mark.render
def test_the_study_pages_link_the_views_and_the_printable_files(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for page in studymap.PAGES:
        assert f'href="{page}"' in index
        assert (site / page).is_file()
    html = (site / "map.html").read_text(encoding="utf-8")
    assert html.count('class="node tile-node') == TILE_COUNT
    assert 'href="study/map-poster.pdf"' in html and 'src="static/svg-pan-zoom.min.js' in html
    assert (site / "static" / "svg-pan-zoom.min.js").read_bytes() == studymap.PAN_ZOOM.read_bytes()
    assert 'href="study/night-before.pdf"' in (site / "night-before.html").read_text(encoding="utf-8")


@pytest.mark.render
def test_a_second_build_remakes_no_printable_file(site: Path, real) -> None:
    spec, _ = real
    files = sorted((site / "study").iterdir())
    before = {f.name: f.stat().st_mtime_ns for f in files}
    studymap.write_study_views(spec, context(spec, site.parent / "media"), site, get_env())
    assert {f.name: f.stat().st_mtime_ns for f in sorted((site / "study").iterdir())} == before


def test_a_missing_pan_zoom_library_names_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = parse_spec(spec_text(TILES))
    monkeypatch.setattr(studymap, "PAN_ZOOM", tmp_path / "svg-pan-zoom.min.js")
    with pytest.raises(studymap.StudyError, match=r"svg-pan-zoom is not installed \(.*\): run `make node-deps`"):
        build_site(spec, tmp_path / "media", tmp_path / "site")
    assert not (tmp_path / "site" / gallery_module.SITE_STAMP).exists()
