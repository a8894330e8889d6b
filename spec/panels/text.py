"""Panels of text: formulas, text items, token rows, comparison tables."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from spec.base import (
    Model,
    PanelBase,
    Slug,
    Text,
    panel_kind,
)
from spec.theme import Role


class FormulaLine(Model):
    id: Slug
    tex: Text = Field(description="LaTeX math (amsmath/amssymb), without surrounding $.")
    label: Text | None = Field(None, description="Plain-text name shown before the formula.")
    role: Role | None = None


@panel_kind
class FormulaPanel(PanelBase):
    """Stacked LaTeX formulas, each optionally named."""

    kind: Literal["formula"] = "formula"
    lines: list[FormulaLine] = Field(min_length=1)

    def element_ids(self) -> list[str]:
        return [line.id for line in self.lines]


class TextItem(Model):
    id: Slug
    text: Text
    role: Role | None = None


@panel_kind
class TextPanel(PanelBase):
    """A column of short text items: bullets, or cards with a coloured edge."""

    kind: Literal["text"] = "text"
    style: Literal["bullets", "cards", "plain"] = "bullets"
    items: list[TextItem] = Field(min_length=1)

    def element_ids(self) -> list[str]:
        return [i.id for i in self.items]


# ---------------------------------------------------------------- kinds for sequences, spaces, trade-offs, timings

TokenText = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Token(Model):
    id: Slug | None = None
    text: TokenText = Field(description="The token's text; spaces are shown as a visible middle dot.")
    tid: int | None = Field(None, ge=0, description="Token id shown under the chip.")
    role: Role | None = None


class TokenRow(Model):
    id: Slug
    label: Text | None = Field(None, description="Name at the left of the row.")
    note: Text | None = Field(None, description="Short remark at the right of the row (a merge, a count).")
    spaces: Literal["plain", "dot"] = Field("plain", description="dot: show each space as · (a tokenizer row, where "
                                            "' quick' differs from 'quick'); plain: spaces as spaces (phrases).")
    tokens: list[Token | TokenText] = Field(min_length=1, max_length=24)


@panel_kind
class TokensPanel(PanelBase):
    """Rows of token chips: text split into tokens with ids, BPE merges, tokens generated one at a time.

    A row's id shows the whole row; chips are `<row>-<k>` (k from 1) unless named; a labelled row's
    label alone is `<row>-label` (to show it before chips that appear one by one).
    """

    kind: Literal["tokens"] = "tokens"
    rows: list[TokenRow] = Field(min_length=1, max_length=10)
    uniform: bool = Field(False, description="Give every chip the same width so columns line up across rows.")

    def token_id(self, row: TokenRow, k: int) -> str:
        tok = row.tokens[k]
        return tok.id if isinstance(tok, Token) and tok.id else f"{row.id}-{k + 1}"

    def element_ids(self) -> list[str]:
        ids = []
        for row in self.rows:
            ids.append(row.id)
            ids += [self.token_id(row, k) for k in range(len(row.tokens))]
            ids += [f"{row.id}-label"] if row.label else []
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        out = {(row.id, self.token_id(row, k)) for row in self.rows for k in range(len(row.tokens))}
        return out | {(row.id, f"{row.id}-label") for row in self.rows if row.label}


class CompareOption(Model):
    id: Slug
    label: Text
    sub: Text | None = None
    role: Role | None = None


class CompareValue(Model):
    text: Text | None = None
    score: int | None = Field(None, ge=0, le=5, description="Filled dots out of the panel's max_score.")
    role: Role | None = None


class CompareRow(Model):
    id: Slug
    label: Text
    values: list[CompareValue | Text] = Field(min_length=1)


@panel_kind
class ComparePanel(PanelBase):
    """A trade-off table: options as columns, criteria as rows, each cell a score (dots) and/or a short text.

    Option ids are the column headers; a criterion's id shows its whole row; cells are `<row>-<option>`.
    """

    kind: Literal["compare"] = "compare"
    options: list[CompareOption] = Field(min_length=2, max_length=5)
    rows: list[CompareRow] = Field(min_length=1, max_length=8)
    max_score: int = Field(3, ge=1, le=5)

    def cell_id(self, row: CompareRow, option: CompareOption) -> str:
        return f"{row.id}-{option.id}"

    def element_ids(self) -> list[str]:
        ids = [o.id for o in self.options]
        for row in self.rows:
            ids.append(row.id)
            ids += [self.cell_id(row, o) for o in self.options]
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(row.id, self.cell_id(row, o)) for row in self.rows for o in self.options}

    @model_validator(mode="after")
    def _widths(self) -> ComparePanel:
        for row in self.rows:
            if len(row.values) != len(self.options):
                raise ValueError(f"row {row.id} has {len(row.values)} values for {len(self.options)} options")
            for v in row.values:
                if isinstance(v, CompareValue):
                    if v.text is None and v.score is None:
                        raise ValueError(f"row {row.id}: a value needs 'text' or 'score'")
                    if v.score is not None and v.score > self.max_score:
                        raise ValueError(f"row {row.id}: score {v.score} is above max_score {self.max_score}")
        return self


