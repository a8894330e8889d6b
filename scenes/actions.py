"""Step actions: one function per action key, in one registry.

Each action receives the director scene (which knows every element) and the
validated action spec, and plays its animation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from manim import (
    AnimationGroup,
    Circumscribe,
    Dot,
    FadeIn,
    FadeOut,
    MoveAlongPath,
    ReplacementTransform,
    Succession,
    linear,
    rate_functions,
)

import spec as S

if TYPE_CHECKING:
    from scenes.director import TileScene

Play = Callable[["TileScene", S.ActionBase], None]
ACTIONS: dict[str, Play] = {}


def action(key: str) -> Callable[[Play], Play]:
    """Register the player of one action key."""

    def register(fn: Play) -> Play:
        ACTIONS[key] = fn
        return fn

    return register


@action("show")
def play_show(scene: TileScene, a: S.ActionBase) -> None:
    anims = []
    refs = [ref for ref in scene.expand(a.targets()) if not scene.is_visible(ref)]
    mobs = {ref: scene.mob(ref) for ref in refs}
    for ref in refs:
        # An element nested in another one shown now (a segment in its row, a neuron in its layer) enters
        # with it: two entrances of the same mobject would leave it at the first one's start (invisible).
        inner = any(other is not mobs[ref] and mobs[ref] in other.get_family() for other in mobs.values())
        # A container some of whose nested elements are already on screen (a row whose chips were shown one
        # by one): only its other parts (its label) enter, and the shown ones are not drawn a second time.
        family = mobs[ref].get_family()
        shown = [scene.mob(r) for r in scene.visible if r.partition(".")[0] == ref.partition(".")[0]
                 and scene.mob(r) is not mobs[ref] and scene.mob(r) in family]
        if shown and not inner:
            rest = [m for m in mobs[ref].submobjects
                    if not any(m is s or s in m.get_family() or m in s.get_family() for s in shown)]
            if rest:
                scene.play(*[FadeIn(m) for m in rest], run_time=a.run_time or 0.6)
            scene.remove(*shown, *rest)  # hand over to the container, drawn once
            scene.mark_visible(ref)
            continue
        if not inner:
            anims.append(scene.intro(ref))
        scene.mark_visible(ref, add=not inner)
    anims = scene.with_headings(a.targets()) + anims
    if anims:
        scene.play(AnimationGroup(*anims, lag_ratio=0.2), run_time=a.run_time or min(1.0 + 0.25 * len(anims), 2.5))


@action("hide")
def play_hide(scene: TileScene, a: S.ActionBase) -> None:
    mobs = []
    for ref in scene.expand(a.targets()):
        if scene.is_visible(ref):
            mobs.append(scene.mob(ref))
            scene.mark_hidden(ref)
        mobs += scene.take_traces(ref)  # a swept element's trail or outline goes with it
    if mobs:
        scene.play(*[FadeOut(m) for m in mobs], run_time=a.run_time or 0.8)


@action("highlight")
def play_highlight(scene: TileScene, a: S.ActionBase) -> None:
    """Flash a frame around the targets and leave it there until the next highlight clears it: the emphasis
    lasts, so the step's picture, its handout page and its slide show what the step pointed at."""
    from manim import Create, SurroundingRectangle

    color = scene.theme.color("accent")
    flashes = [Circumscribe(scene.mob(ref), color=color, fade_out=True, buff=0.08) for ref in a.targets()]
    frames = [SurroundingRectangle(scene.mob(ref), color=color, buff=0.08, corner_radius=0.06, stroke_width=3)
              for ref in a.targets()]
    for f in frames:
        f.part = "emphasis"  # an overlay: the lint's layout rules leave it out
    cleared = [FadeOut(m) for m in scene.emphasis]
    scene.play(*cleared, *flashes, *[Create(f) for f in frames], run_time=a.run_time or 1.2)
    scene.emphasis = frames


def _recolor_target(mob, color: str):  # type: ignore[no-untyped-def]
    mob.generate_target()
    for part in mob.target.get_family():
        kind = getattr(part, "part", None)
        if kind in ("box", "shape", "curve", "mark", "edge"):
            part.set_stroke(color)
            # a tagged group (a cylinder's body and lid) has no fill of its own: tint its filled members
            for sub in part.family_members_with_points():
                if sub.get_fill_opacity() > 0:
                    sub.set_fill(color)
    return mob


@action("recolor")
def play_recolor(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Recolor)
    color = scene.theme.color(a.role)
    anims = []
    from manim import MoveToTarget

    for ref in a.targets():
        mob = _recolor_target(scene.mob(ref), color)
        anims.append(MoveToTarget(mob))
    scene.play(*anims, run_time=a.run_time or 0.8)


DIM_OPACITY = 0.22


def _dim_target(mob):  # type: ignore[no-untyped-def]
    """Fade strokes and fills to DIM_OPACITY, leaving unfilled paths unfilled (set_opacity would fill a curved
    edge's outline into a wedge)."""
    mob.generate_target()
    for part in mob.target.family_members_with_points():
        if part.get_stroke_opacity() > 0:
            part.set_stroke(opacity=DIM_OPACITY, family=False)
        if part.get_fill_opacity() > 0:
            part.set_fill(opacity=DIM_OPACITY, family=False)
    return mob


@action("dim")
def play_dim(scene: TileScene, a: S.ActionBase) -> None:
    from manim import MoveToTarget

    anims = [MoveToTarget(_dim_target(scene.mob(ref))) for ref in a.targets()]
    for ref in a.targets():
        scene.mark_dimmed(ref)
    scene.play(*anims, run_time=a.run_time or 0.8)


@action("flow")
def play_flow(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Flow)
    color = scene.theme.color(a.role or "accent")
    routes = [scene.route(ref) for ref in a.targets()]
    if a.together:  # one token per route, all at once: parallel calls fanning out, results fanning back in
        tokens = [Dot(r.get_start(), radius=0.11, color=color) for r in routes]
        motion = [MoveAlongPath(t, r, run_time=a.run_time or 1.2, rate_func=rate_functions.smooth)
                  for t, r in zip(tokens, routes, strict=True)]
    else:  # one token along the routes in turn
        tokens = [Dot(routes[0].get_start(), radius=0.11, color=color)]
        per = (a.run_time or 0.9 * len(routes)) / len(routes)
        motion = [Succession(*[MoveAlongPath(tokens[0], r, run_time=per,
                                             rate_func=rate_functions.smooth if len(routes) == 1 else linear)
                               for r in routes])]
    for t in tokens:
        t.set_z_index(10)
    scene.play(*[FadeIn(t, scale=0.5) for t in tokens], run_time=0.2)
    scene.play(*motion)
    scene.play(*[FadeOut(t, scale=1.8) for t in tokens], run_time=0.3)


@action("walk")
def play_walk(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Walk)
    ref = a.walk
    group = scene.mob(ref)
    stops = scene.waypoints(ref)
    route_mob, dots = group[0], group[1]
    color = route_mob.get_stroke_color()
    marker = Dot(stops[0], radius=0.13, color=scene.theme.color("accent")).set_z_index(10)
    extras = list(group[2:])
    scene.play(FadeIn(marker, scale=0.5), FadeIn(dots[0]), *[FadeIn(m) for m in extras], run_time=0.4)
    per = (a.run_time or min(0.5 * (len(stops) - 1), 5.0)) / max(len(stops) - 1, 1)
    from manim import Line

    segs = []
    for i in range(1, len(stops)):
        seg = Line(stops[i - 1], stops[i], stroke_color=color, stroke_width=3)
        segs.append(seg)
        scene.play(marker.animate.move_to(stops[i]), FadeIn(seg), FadeIn(dots[i]), run_time=per)
    # hand over to the element itself so the picture holds exactly the declared path
    scene.remove(*segs)
    scene.add(route_mob)
    scene.mark_visible(ref, add=False)
    scene.add(group)
    scene.play(FadeOut(marker), run_time=0.3)


@action("transform")
def play_transform(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Transform)
    src, dst = scene.mob(a.transform), scene.mob(a.into)
    ghost = src.copy()
    scene.remove(src)
    scene.mark_hidden(a.transform, remove=False)
    gone = [FadeOut(m) for m in scene.take_traces(a.transform)]  # the source's sweep traces leave with it
    scene.play(ReplacementTransform(ghost, dst), *gone, run_time=a.run_time or 1.2)
    scene.mark_visible(a.into, add=False)


@action("derive")
def play_derive(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Derive)
    src = scene.mob(a.from_)
    refs = [ref for ref in scene.expand(S.as_list(a.derive)) if not scene.is_visible(ref)]
    per = (a.run_time or min(0.8 * len(refs), 6.0)) / max(len(refs), 1)
    for ref in refs:
        # a copy of the source morphs into each new element in turn; the source itself stays
        anims = scene.with_headings([ref]) + [ReplacementTransform(src.copy(), scene.mob(ref))]
        scene.play(*anims, run_time=per)
        scene.mark_visible(ref, add=False)


@action("iterate")
def play_iterate(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Iterate)
    pid, eid = scene.split(a.iterate)
    stages = scene.panels[pid].stages.get(eid or "", [])
    for _ in range(a.times):
        if not stages:  # validation counts the stages; nothing is left to play
            break
        anim = stages.pop(0)()
        if a.run_time:
            scene.play(anim, run_time=a.run_time)
        else:
            scene.play(anim)


def _routes(scene: TileScene, ref: str) -> list:  # type: ignore[type-arg]
    """The strokes a pulse runs along: a graph edge's route, or every line of a network bundle."""
    pid, eid = scene.split(ref)
    built = scene.panels[pid]
    if eid in built.paths:
        return [built.paths[eid]]
    return [m for m in scene.mob(ref).family_members_with_points() if getattr(m, "part", None) == "edge"]


@action("propagate")
def play_propagate(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Propagate)
    from manim import ShowPassingFlash

    color = scene.theme.color(a.role or "accent")
    per = (a.run_time or 1.0 * len(a.targets())) / len(a.targets())
    for ref in a.targets():
        routes = [r.copy() for r in _routes(scene, ref)]
        if a.reverse:
            for r in routes:
                r.reverse_points()
        flashes = [ShowPassingFlash(r.copy().set_stroke(color, width=7, opacity=1), time_width=0.5) for r in routes]
        tokens = [Dot(r.get_start(), radius=0.07, color=color).set_z_index(10) for r in routes]
        moves = [MoveAlongPath(t, r, rate_func=rate_functions.smooth) for t, r in zip(tokens, routes, strict=True)]
        scene.play(*flashes, *moves, run_time=per)
        scene.remove(*tokens)


@action("sweep")
def play_sweep(scene: TileScene, a: S.ActionBase) -> None:
    from scenes.sweep import play_sweep as sweep

    assert isinstance(a, S.Sweep)
    sweep(scene, a)


@action("wait")
def play_wait(scene: TileScene, a: S.ActionBase) -> None:
    assert isinstance(a, S.Wait)
    scene.wait(a.wait)
