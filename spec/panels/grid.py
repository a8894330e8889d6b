"""Panels of cells and pictures: matrices, proportional blocks, diffusion frames."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from spec.base import (
    Label,
    Model,
    PanelBase,
    Slug,
    Text,
    check_named,
    panel_kind,
)
from spec.sweep import Bound
from spec.theme import Role
from spec.vetted import generators


class Cell(Model):
    id: Slug | None = None
    text: str = ""
    value: Bound | None = Field(None, description="A number shown with the panel's `digits`, in place of "
                                "`{value}` in `text` (or as the whole text); may follow a tile parameter "
                                "(confusion counts at a threshold).")
    sub: str | None = None
    role: Role | None = None


class MatrixFrame(Model):
    """A frame around a block of cells (a convolution window, a pooling region, an attention row)."""

    id: Slug
    rows: tuple[int, int] = Field(description="First and last row, from 1.")
    cols: tuple[int, int] = Field(description="First and last column, from 1.")
    role: Role | None = None

    @model_validator(mode="after")
    def _ordered(self) -> MatrixFrame:
        if not (1 <= self.rows[0] <= self.rows[1] and 1 <= self.cols[0] <= self.cols[1]):
            raise ValueError("rows and cols are [first, last] with 1 <= first <= last")
        return self


@panel_kind
class MatrixPanel(PanelBase):
    """A grid of labelled cells (confusion matrix, table), or of numbers shaded by size (heatmap).

    Elements: `grid` (outline and headers), `cells` (every cell at once), each cell, and the frames.
    """

    kind: Literal["matrix"] = "matrix"
    rows: list[Text] = Field(default_factory=list, description="Row headers.")
    cols: list[Text] = Field(default_factory=list, description="Column headers.")
    row_title: Text | None = None
    col_title: Text | None = None
    cells: list[list[Cell | str]] = Field(default_factory=list)
    values: list[list[float]] | None = Field(None, description="Numbers instead of cells: a heatmap.")
    digits: int = Field(2, ge=0, le=4, description="Decimals shown for values.")
    shade: Role | None = Field(None, description="Shade each value's cell in this colour, by its size.")
    range: tuple[float, float] | None = Field(None, description="Values mapped to no and full shade (default: min, max).")
    frames: list[MatrixFrame] = Field(default_factory=list)

    def grid_rows(self) -> list[list[Any]]:
        return [list(r) for r in self.values] if self.values is not None else [list(r) for r in self.cells]

    def cell_id(self, r: int, c: int) -> str:
        cell = self.cells[r][c] if self.values is None else None
        if isinstance(cell, Cell) and cell.id:
            return cell.id
        return f"r{r + 1}c{c + 1}"

    def element_ids(self) -> list[str]:
        ids = ["grid", "cells"]
        for r, row in enumerate(self.grid_rows()):
            ids += [self.cell_id(r, c) for c in range(len(row))]
        return ids + [f.id for f in self.frames]

    def nested_ids(self) -> set[tuple[str, str]]:
        frames = {f.id for f in self.frames}
        pairs = {("grid", i) for i in self.element_ids() if i != "grid"}
        pairs |= {("cells", i) for i in self.element_ids() if i not in ("grid", "cells") and i not in frames}
        for f in self.frames:
            pairs |= {(f.id, self.cell_id(r - 1, c - 1)) for r in range(f.rows[0], f.rows[1] + 1)
                      for c in range(f.cols[0], f.cols[1] + 1)}
        return pairs | {(a, b) for a in frames for b in frames if a != b}

    @model_validator(mode="after")
    def _shape(self) -> MatrixPanel:
        if (self.values is None) == (not self.cells):
            raise ValueError("give exactly one of 'cells' or 'values'")
        if self.shade is not None and self.values is None:
            raise ValueError("'shade' needs 'values'")
        grid = self.grid_rows()
        if not grid or not grid[0]:
            raise ValueError("a matrix needs at least one cell")
        for f in self.frames:
            if f.rows[1] > len(grid) or f.cols[1] > len(grid[0]):
                raise ValueError(f"frame {f.id} reaches outside the {len(grid)} x {len(grid[0])} grid")
        widths = {len(r) for r in grid}
        if len(widths) != 1:
            raise ValueError("every row of cells must have the same length")
        if self.rows and len(self.rows) != len(grid):
            raise ValueError(f"{len(self.rows)} row headers for {len(grid)} rows of cells")
        if self.cols and len(self.cols) != widths.pop():
            raise ValueError("column headers and cells differ in number")
        return self


class Segment(Model):
    id: Slug | None = None
    text: Text
    weight: float = Field(1.0, gt=0)
    role: Role | None = None


class BlockRow(Model):
    id: Slug
    label: Text | None = None
    segments: list[Segment] = Field(min_length=1)


@panel_kind
class BlocksPanel(PanelBase):
    """Rows of proportional segments: data splits, folds, memory budgets."""

    kind: Literal["blocks"] = "blocks"
    rows: list[BlockRow] = Field(min_length=1)

    def segment_id(self, row: BlockRow, i: int) -> str:
        return row.segments[i].id or f"{row.id}-{i + 1}"

    def element_ids(self) -> list[str]:
        ids = []
        for row in self.rows:
            ids.append(row.id)
            ids += [self.segment_id(row, i) for i in range(len(row.segments))]
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(row.id, self.segment_id(row, i)) for row in self.rows for i in range(len(row.segments))}


class PictureSource(Model):
    fn: str = Field(description="Name of a vetted picture generator (landscape, shapes).")
    params: dict[str, float | list[float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> PictureSource:
        check_named("picture", self.fn, self.params, generators.IMAGES,
                     lambda n: generators.parameters(generators.IMAGES, n))
        return self


class Frame(Model):
    id: Slug
    t: int = Field(ge=0, description="Diffusion timestep of this frame (0 is the clean picture).")
    label: Label | None = Field(None, description="Caption under the frame (default: t = ...).")


@panel_kind
class FramesPanel(PanelBase):
    """A row of pictures along a diffusion process: a procedural picture noised by q(x_t | x_0), or denoised.

    `forward` shows x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps for each frame's t (one noise draw);
    `reverse` runs DDPM ancestral sampling from pure noise with a perfect noise predictor. Frames are
    elements; the arrow between two neighbours is `<a>-to-<b>`.
    """

    kind: Literal["frames"] = "frames"
    picture: PictureSource
    process: Literal["forward", "reverse"] = "forward"
    schedule: Literal["linear", "cosine"] = "linear"
    steps: int = Field(1000, ge=10, le=4000, description="T, the number of diffusion steps.")
    seed: int = Field(0, ge=0, description="Seed of the Gaussian noise.")
    frames: list[Frame] = Field(min_length=2, max_length=8)

    def arrow_ids(self) -> list[str]:
        return [f"{a.id}-to-{b.id}" for a, b in zip(self.frames, self.frames[1:], strict=False)]

    def element_ids(self) -> list[str]:
        return [f.id for f in self.frames] + self.arrow_ids()

    @model_validator(mode="after")
    def _timesteps(self) -> FramesPanel:
        for f in self.frames:
            if f.t > self.steps:
                raise ValueError(f"frame {f.id}: t = {f.t} is beyond steps = {self.steps}")
        return self


