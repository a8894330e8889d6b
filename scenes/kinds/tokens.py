"""tokens: rows of token chips (text split into tokens with ids, BPE merges, generated tokens, a KV cache)."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, LaggedStart, Mobject, RoundedRectangle, VGroup

from scenes.common import Built, Rect, heading, tag, text
from scenes.kinds import builder
from scenes.labels import centre_on_baseline
from spec import Token, TokensPanel
from spec import theme as T
from spec.theme import Theme

CYCLE = ("data", "model", "metric", "infra")  # alternate chip colours so token boundaries are visible
CHIP_PAD_X = 0.12
CHIP_H = 0.56
CHIP_GAP = 0.08
ROW_GAP = 0.24
SPACE_MARK = "\u00b7"  # a visible space
MAX_SCALE = 1.3


def _display(s: str, spaces: str) -> str:
    return s.replace(" ", SPACE_MARK) if spaces == "dot" else s


@builder("tokens")
def build_tokens(spec: TokensPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    toks = {row.id: [t if isinstance(t, Token) else Token(text=t) for t in row.tokens] for row in spec.rows}
    texts = {row.id: [text(_display(t.text, row.spaces), spec.token_id(row, k), th, size=T.LABEL_SIZE, mono=True)
                      for k, t in enumerate(toks[row.id])] for row in spec.rows}
    uniform_w = max(m.width for ms in texts.values() for m in ms) + 2 * CHIP_PAD_X
    ascent = text("H", spec.id, th, size=T.LABEL_SIZE, mono=True).height
    descent = text("Hg", spec.id, th, size=T.LABEL_SIZE, mono=True).height - ascent
    labels = {row.id: text(row.label, row.id, th, size=T.SMALL_SIZE, color=th.subtle_text)
              for row in spec.rows if row.label}
    label_w = max([m.width for m in labels.values()] + [0.0])

    elements: dict[str, Mobject] = {}
    intros = {}
    rows: list[VGroup] = []
    for row in spec.rows:
        chips = []
        for k, (tok, lab) in enumerate(zip(toks[row.id], texts[row.id], strict=True)):
            cid = spec.token_id(row, k)
            color = th.color(tok.role or CYCLE[k % len(CYCLE)])
            num = text(str(tok.tid), cid, th, size=T.SMALL_SIZE, color=th.subtle_text, mono=True) \
                if tok.tid is not None else None
            w = uniform_w if spec.uniform else max(lab.width, num.width if num else 0.0) + 2 * CHIP_PAD_X
            box = RoundedRectangle(corner_radius=0.08, width=w, height=CHIP_H, stroke_color=color, stroke_width=2.5,
                                   fill_color=color, fill_opacity=0.18)
            tag(box, "box", cid)
            centre_on_baseline(lab, box.get_center(), ascent, descent, mono=True, size=T.LABEL_SIZE)
            parts = [box, lab]
            if num is not None:
                num.next_to(box, DOWN, buff=0.08)
                parts.append(num)
            chip = VGroup(*parts)
            elements[cid] = chip
            chips.append(chip)
        line = VGroup(*chips).arrange(RIGHT, buff=CHIP_GAP, aligned_edge=UP)
        parts_row: list[Mobject] = []
        x0 = label_w + 0.3 if labels else 0.0
        line.move_to([x0, 0, 0], aligned_edge=LEFT + UP)
        if row.id in labels:
            lab = labels[row.id]
            lab.move_to([label_w, -CHIP_H / 2, 0], aligned_edge=RIGHT)
            parts_row.append(lab)
            elements[f"{row.id}-label"] = lab
        parts_row.append(line)
        if row.note:
            note = text(row.note, row.id, th, size=T.SMALL_SIZE, color=th.subtle_text)
            note.next_to(line, RIGHT, buff=0.35).set_y(-CHIP_H / 2)
            parts_row.append(note)
        group = VGroup(*parts_row)
        rows.append(group)
        # chips first: a row derived from another one morphs chip into chip, label into label
        elements[row.id] = VGroup(*chips, *[m for m in parts_row if m is not line])

        def row_intro(mob: Mobject, chips: list[VGroup] = chips) -> LaggedStart:
            others = [m for m in mob.submobjects if m not in chips]
            return LaggedStart(*[FadeIn(m) for m in others], *[FadeIn(c, shift=0.12 * DOWN) for c in chips],
                               lag_ratio=0.12)

        intros[row.id] = row_intro

    # Stack rows top to bottom; a row's top is its chips' top.
    y = 0.0
    for group in rows:
        group.shift([0, y - group.get_top()[1], 0])
        y = group.get_bottom()[1] - ROW_GAP
    whole = VGroup(*rows)
    s = min(rect.width / whole.width, rect.height / whole.height, MAX_SCALE)
    whole.scale(s)
    whole.move_to(rect.center)
    if whole.width < rect.width * 0.98:  # keep rows left-aligned in the panel rather than floating
        whole.align_to([rect.left, 0, 0], LEFT)
    return Built(elements, intros=intros, heading=head)
