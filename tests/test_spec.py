"""Spec validation: valid and invalid snippets, with the exact messages a user sees."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from spec import ACTION_SPECS, PANEL_SPECS, SpecInvalid, json_schema, load_spec, parse_spec
from tests.conftest import LAYER_COUNT, ROOT, TILE_COUNT, run_cli, spec_text

GOOD_TILE = """\
- id: good
  title: Good
  tagline: A valid tile.
  panels:
    - id: rule
      kind: formula
      lines: [{id: update, tex: 'w \\leftarrow w - \\eta g'}]
    - id: graph
      kind: flow
      box: [0, 0.5, 1, 0.5]
      nodes: [{id: a, label: A}, {id: b, label: B}]
      edges: [{from: a, to: b}]
  steps:
    - say: Show the rule.
      do: [{show: rule}]
    - say: Send a token.
      do: [{show: graph}, {flow: graph.a->b}]
"""


def errors_of(tiles_yaml: str) -> list[str]:
    with pytest.raises(SpecInvalid) as exc:
        parse_spec(spec_text(tiles_yaml), "diagrams.yaml")
    return [str(e) for e in exc.value.errors]


def test_valid_tile_loads_into_typed_models() -> None:
    spec = parse_spec(spec_text(GOOD_TILE))
    layer, tile = spec.tiles()[0]
    assert (layer.id, tile.id, tile.status) == ("basics", "good", "authored")
    assert [p.kind for p in tile.panels] == ["formula", "flow"]
    assert "graph.a->b" in tile.refs()


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        pytest.param(
            GOOD_TILE.replace("kind: flow", "kind: flwo"),
            "diagrams.yaml:15: tiles[good].panels[graph].kind: unknown panel kind 'flwo'; did you mean 'flow'?",
            id="unknown-kind",
        ),
        pytest.param(
            GOOD_TILE.replace("{show: rule}", "{shw: rule}"),
            "diagrams.yaml:21: tiles[good].steps[0].do[0].shw: unknown action 'shw'; did you mean 'show'?",
            id="unknown-action",
        ),
        pytest.param(
            GOOD_TILE.replace("{flow: graph.a->b}", "{flow: graph.a->c}"),
            "diagrams.yaml:23: tiles[good].steps[1].do[1]: unknown element 'a->c' in panel 'graph'; did you mean 'a->b'?",
            id="unknown-element",
        ),
        pytest.param(
            GOOD_TILE.replace("[{show: rule}]", "[{show: rules}]"),
            "diagrams.yaml:21: tiles[good].steps[0].do[0]: unknown panel 'rules'; did you mean 'rule'?",
            id="unknown-panel",
        ),
        pytest.param(
            GOOD_TILE.replace("title: Good", "titel: Good"),
            "diagrams.yaml:8: tiles[good].titel: unknown field 'titel'; did you mean 'title'?",
            id="unknown-field",
        ),
        pytest.param(
            GOOD_TILE.replace("  title: Good\n", ""),
            "diagrams.yaml:7: tiles[good]: missing field 'title'",
            id="missing-field",
        ),
        pytest.param(
            GOOD_TILE.replace("id: good", "id: Good_Tile"),
            "diagrams.yaml:7: tiles[Good_Tile].id: 'Good_Tile' is not a valid id (use lowercase letters, digits and single hyphens)",
            id="bad-slug",
        ),
        pytest.param(
            GOOD_TILE.replace("id: good", "id: ../../etc"),
            "diagrams.yaml:7: tiles[../../etc].id: '../../etc' is not a valid id (use lowercase letters, digits and single hyphens)",
            id="path-traversal-id",
        ),
        pytest.param(
            GOOD_TILE.replace("box: [0, 0.5, 1, 0.5]", "box: [0.5, 0.5, 1, 0.5]"),
            "diagrams.yaml:16: tiles[good].panels[graph].box: box reaches outside the content area (x + width = 1.5, y + height = 1)",
            id="box-outside",
        ),
        pytest.param(
            GOOD_TILE.replace("edges: [{from: a, to: b}]", "edges: [{from: a, to: c}]"),
            "diagrams.yaml:14: tiles[good].panels[graph]: edge a->c: unknown node 'c'",
            id="edge-unknown-node",
        ),
        pytest.param(
            GOOD_TILE + GOOD_TILE,
            "diagrams.yaml:24: tiles[good].id: duplicate tile id 'good' (first at line 7)",
            id="duplicate-tile",
        ),
        pytest.param(
            GOOD_TILE.replace("{flow: graph.a->b}", "{flow: graph.a}"),
            "diagrams.yaml:23: tiles[good].steps[1].do[1]: flow needs graph edges ('a->b'), sequence messages, stack links ('a->b') or plot paths, and 'graph.a' is none of them",
            id="flow-on-node",
        ),
        pytest.param(
            GOOD_TILE + "  questions:\n    - {q: 'Why?', answer: 'Because.'}\n",
            "diagrams.yaml:25: tiles[good].questions[0]: an answer needs a 'source' (a paper, a textbook section or official documentation)",
            id="answer-without-source",
        ),
        pytest.param(
            GOOD_TILE.replace("{flow: graph.a->b}", "{reverse: true, propagat: [graph.a->b]}"),
            "diagrams.yaml:23: tiles[good].steps[1].do[1].propagat: unknown action 'propagat'; did you mean 'propagate'?",
            id="misspelled-action-beside-its-fields",
        ),
        pytest.param(  # another model's field: never "did you mean 'at'?" about 'at' itself
            GOOD_TILE.replace("{id: a, label: A}", "{id: a, label: A, at: [1, 2]}"),
            "diagrams.yaml:17: tiles[good].panels[graph].nodes[0].at: unknown field 'at'",
            id="unknown-field-of-another-model",
        ),
        pytest.param(
            GOOD_TILE.replace("{id: a, label: A}", "{id: a, label: A, shap: box}"),
            "diagrams.yaml:17: tiles[good].panels[graph].nodes[0].shap: unknown field 'shap'; did you mean 'shape'?",
            id="misspelled-field-of-a-node",
        ),
    ],
)
def test_invalid_snippet_reports_exact_message(snippet: str, expected: str) -> None:
    errors = errors_of(snippet)
    assert expected in errors, errors
    assert not any(re.search(r"'([^']+)'; did you mean '\1'\?", e) for e in errors), errors


def test_a_suggestion_is_never_the_word_itself() -> None:
    from spec.errors import suggest

    assert suggest("at", ["at", "id", "label"]) == ""
    assert suggest("shap", ["shape", "shap"]) == "; did you mean 'shape'?"


def test_plot_function_and_parameters_are_checked() -> None:
    tile = """\
- id: p
  title: P
  tagline: T
  panels:
    - id: plot
      kind: plot
      x: {range: [0, 1]}
      y: {range: [0, 1]}
      curves:
        - {id: a, fn: sigmoide}
        - {id: b, fn: sigmoid, params: {kk: 2}}
  steps:
    - say: S.
      do: [{show: plot}]
"""
    errs = errors_of(tile)
    assert "diagrams.yaml:16: tiles[p].panels[plot].curves[0]: unknown function 'sigmoide'; did you mean 'sigmoid'?" in errs
    assert ("diagrams.yaml:17: tiles[p].panels[plot].curves[1]: function 'sigmoid' has no parameter 'kk'; did you mean "
            "'k'?; its parameters: k (steepness), x0 (midpoint, where the value is 0.5)") in errs


def test_a_wrong_parameter_lists_the_valid_ones_with_their_meaning() -> None:
    errs = errors_of(GOOD_TILE.replace("    - id: graph\n", """    - id: curve
      kind: plot
      box: [0, 0.5, 1, 0.5]
      x: {range: [-3, 3], step: 1}
      y: {range: [0, 1], step: 1}
      curves: [{id: g, fn: gaussian, params: {mean: 0}}]
    - id: graph
""").replace("box: [0, 0.5, 1, 0.5]\n      nodes", "box: [0, 0.5, 1, 0.5]\n      nodes"))
    assert any("function 'gaussian' has no parameter 'mean'; its parameters: mu (mean), sigma (standard deviation), "
               "a (peak height)" in e for e in errs), errs


def test_an_error_is_reported_once_at_the_field_that_is_wrong() -> None:
    """Not at the action's key, and not once per branch of 'a ref or a list of refs'."""
    assert errors_of(GOOD_TILE.replace("{show: rule}", "{show: rule, run_time: 0}")) == [
        "diagrams.yaml:21: tiles[good].steps[0].do[0].run_time: Input should be greater than 0"]
    assert errors_of(GOOD_TILE.replace("{show: rule}", "{show: [rule, 'Bad Ref']}")) == [
        "diagrams.yaml:21: tiles[good].steps[0].do[0].show[1]: 'Bad Ref' is not a valid id (use lowercase letters, "
        "digits and single hyphens)"]


def test_every_error_of_the_file_is_reported_at_once() -> None:
    second = GOOD_TILE.replace("id: good", "id: other").replace("kind: formula", "kind: formule")
    errs = errors_of(GOOD_TILE.replace("{show: rule}", "{shw: rule}") + second)
    assert len(errs) == 2
    assert [e.split(":")[1] for e in errs] == ["21", "29"]


def test_planned_tile_needs_only_title_and_tagline() -> None:
    spec = parse_spec(spec_text("- {id: later, title: Later, tagline: Soon., status: planned}\n"))
    assert spec.tiles()[0][1].status == "planned"


def test_authored_tile_without_steps_is_an_error() -> None:
    errs = errors_of("- {id: empty, title: E, tagline: T}\n")
    assert errs == ["diagrams.yaml:7: tiles[empty]: an authored tile needs at least one panel (or say status: planned)"]


def test_yaml_is_loaded_safely_and_never_executed() -> None:
    text = spec_text(GOOD_TILE).replace("title: Good", "title: !!python/object/apply:os.system ['echo hacked']")
    with pytest.raises(SpecInvalid) as exc:
        parse_spec(text)
    assert str(exc.value) == (
        "diagrams.yaml:8: (yaml): layers.0.tiles.0.title: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' "
        "is not allowed (plain data only)"
    )


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(SpecInvalid) as exc:
        parse_spec("version: 1\nlayers:\n  - id: a\n   title: [unclosed\n")
    assert str(exc.value.errors[0]).startswith("diagrams.yaml:4: (yaml):")


def test_registries_agree_between_spec_and_scenes() -> None:
    from scenes.actions import ACTIONS
    from scenes.kinds import BUILDERS
    from scenes.kinds.scatter import FIT_BUILDERS
    from spec.vetted.fits import FIT_METHODS

    assert sorted(BUILDERS) == sorted(PANEL_SPECS)
    assert sorted(ACTIONS) == sorted(ACTION_SPECS)
    assert sorted(FIT_BUILDERS) == sorted(FIT_METHODS)


def test_real_spec_has_every_seed_tile_in_seed_order() -> None:
    """Every tile of the seed list, by title and in its order (an author may add tiles between them; taglines
    follow the seed but may be corrected where the seed overclaims, as "the architecture behind every LLM")."""
    spec = load_spec(ROOT / "diagrams.yaml")
    seed = yaml.safe_load((ROOT.parent / "shared" / "tiles.yaml").read_text()) if (ROOT.parent / "shared").exists() else None
    tiles = [t.title for _, t in spec.tiles()]
    assert (len(spec.layers), len(tiles)) == (LAYER_COUNT, TILE_COUNT)
    if seed:
        expected = [t["title"] for layer in seed["layers"] for t in layer["tiles"]]
        found = iter(tiles)
        assert all(any(t == e for t in found) for e in expected), "a seed tile is missing or out of order"
        titles = iter(layer.title for layer in spec.layers)
        assert all(any(t == e["title"] for t in titles) for e in seed["layers"])


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads((ROOT / "diagrams.schema.json").read_text())
    assert committed == json.loads(json.dumps(json_schema())), "run `make schema` to regenerate diagrams.schema.json"
    first = (ROOT / "diagrams.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=./diagrams.schema.json"


def test_cli_validate_reports_errors_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(spec_text(GOOD_TILE.replace("{show: rule}", "{shw: rule}")), encoding="utf-8")
    res = run_cli("--spec", str(bad), "validate")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "bad.yaml:21: tiles[good].steps[0].do[0].shw: unknown action 'shw'; did you mean 'show'?" in res.stderr
    assert "1 error in" in res.stderr


def test_cli_validate_accepts_the_real_spec() -> None:
    res = run_cli("validate")
    assert res.returncode == 0, res.stderr
    assert f"{LAYER_COUNT} layers, {TILE_COUNT} tiles" in res.stdout


def test_readme_documents_every_panel_kind_and_action() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in [*PANEL_SPECS, *ACTION_SPECS]:
        assert f"`{name}`" in readme, f"README's author's guide lacks `{name}`"
    assert "make render" in readme and "make test" in readme


def test_an_error_in_a_panel_does_not_hide_the_other_errors_of_its_tile() -> None:
    broken = GOOD_TILE.replace("lines: [{id: update", "lines: [{id: Update").replace("{show: graph}", "{show: grahp}")
    errs = errors_of(broken)
    assert any(e.startswith("diagrams.yaml:13: tiles[good].panels[rule].lines[0].id:") for e in errs), errs
    assert "diagrams.yaml:23: tiles[good].steps[1].do[0]: unknown panel 'grahp'; did you mean 'graph'?" in errs
    assert not any("rule" in e and "unknown element" in e for e in errs), "no false error about the broken panel"


KEY_POINTS = """  key_points:
    - {point: 'The update rule.', shown_by: [rule.update], priority: must, formula: 'w <- w - eta g'}
    - {point: 'Data flows to the model.', shown_by: [graph.a->b]}
    - {point: 'A is the source.', shown_by: [graph.a]}
    - {point: 'B is the sink.', shown_by: [graph.b]}
    - {point: 'Both ends.', shown_by: [graph.a, graph.b]}
"""


def test_key_points_are_validated_with_their_lines() -> None:
    spec = parse_spec(spec_text(GOOD_TILE + KEY_POINTS))
    tile = spec.tile("good")[1]
    assert tile.key_points is not None and tile.key_points[0].priority == "must"
    errs = errors_of(GOOD_TILE + KEY_POINTS.replace("[graph.a]", "[graph.aa]"))
    assert errs == ["diagrams.yaml:27: tiles[good].key_points[2].shown_by[0]: unknown element 'aa' in panel 'graph'; "
                    "did you mean 'a'?"]
    assert errors_of(GOOD_TILE + "  key_points: []\n") == [
        "diagrams.yaml:24: tiles[good].key_points: List should have at least 5 items after validation, not 0"]


def test_a_whole_panel_as_a_key_points_element_is_warned() -> None:
    spec = parse_spec(spec_text(GOOD_TILE + KEY_POINTS.replace("[graph.b]", "[graph]")))
    assert [str(w) for w in spec.warnings()] == [
        "diagrams.yaml:28: tiles[good].key_points[3].shown_by[0]: 'graph' is a whole panel: name the elements that "
        "carry the point"]


TWO_TILES = GOOD_TILE + GOOD_TILE.replace("id: good", "id: next").replace("title: Good", "title: Next")


def test_prerequisites_name_known_tiles_and_form_no_cycle() -> None:
    ok = parse_spec(spec_text(TWO_TILES.replace("  title: Next\n", "  title: Next\n  requires: [good]\n")))
    assert ok.tile("next")[1].requires == ["good"]
    assert errors_of(TWO_TILES.replace("  title: Next\n", "  title: Next\n  requires: [godo]\n")) == [
        "diagrams.yaml:26: tiles[next].requires[0]: unknown tile 'godo'; did you mean 'good'?"]
    assert errors_of(TWO_TILES.replace("  title: Next\n", "  title: Next\n  requires: [next]\n")) == [
        "diagrams.yaml:26: tiles[next].requires[0]: 'next' requires itself"]
    cyclic = TWO_TILES.replace("  title: Good\n", "  title: Good\n  requires: [next]\n", 1).replace(
        "  title: Next\n", "  title: Next\n  requires: [good]\n")
    assert errors_of(cyclic) == ["diagrams.yaml:27: tiles[next].requires[0]: prerequisites form a cycle: "
                                 "good -> next -> good"]
