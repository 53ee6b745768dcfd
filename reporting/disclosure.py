"""Disclosure control for statistics tables (R19).

Input: a table of *disjoint* groups (e.g. departments, each with only its own
employees, or top-level departments including their sub-departments) with
the group's number of employees and a count per column (e.g. spells per
duration class, long-term files). Rates (verzuimpercentage, ...) are not
cells here: show a group's rates only if the group is a row of the result.

Three steps:

1. **Group threshold.** Every group with fewer employees than the
   organisation's ``statistics_group_threshold`` is merged into one pooled row
   "Overige afdelingen" (chosen over merging into the parent: the input rows
   need not form a tree, and one pooled row does not reveal which small
   department is which). If the pooled row is still below the threshold, the
   smallest shown group is merged into it as well, until it reaches the
   threshold; if the whole table is below the threshold, nothing is shown.

2. **Primary suppression.** A count ``0 < n < statistics_min_count`` is
   suppressed (``None``, shown as "—"), in cells and in totals alike. Zero is
   shown: it reveals no individual.

3. **Complementary suppression.** The table is extended with a row-total
   column, a column-total row and the grand total; every row and column of
   that extended table is an equation "cells add up to total". While a line
   has exactly one suppressed entry, the smallest other shown entry of that
   line is suppressed too (preferring non-total cells). Then, since two
   suppressions per line can still be solved from several lines together
   (an entry is derivable exactly when it is a bridge in the graph of
   suppressed entries, rows and columns as nodes), for every such bridge one
   more cell is suppressed that closes a cycle through it; repeat until
   stable.

Counts of sub-periods whose sum is a total shown in such a table (the
trend's new spells per month against the period's new spells) are
protected together with that total by :func:`protect_parts`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

OTHERS = "Overige afdelingen"
TOTAL = "Totaal"


@dataclass
class Group:
    key: object
    label: str
    size: int  # employees
    cells: dict[str, int]


@dataclass
class ShownRow:
    label: str
    members: list  # keys of the input groups in this row
    size: int
    cells: dict[str, int | None]  # None = suppressed
    total: int | None


@dataclass
class DisclosedTable:
    columns: list[str]
    rows: list[ShownRow] = field(default_factory=list)
    column_totals: dict[str, int | None] = field(default_factory=dict)
    grand_total: int | None = None

    def matrix(self) -> list[list[int | None]]:
        """The extended table: rows + total column, then the total row."""
        out = [[r.cells[c] for c in self.columns] + [r.total] for r in self.rows]
        out.append([self.column_totals[c] for c in self.columns] + [self.grand_total])
        return out


def merge_small_groups(groups: list[Group], columns: list[str], threshold: int) -> list[ShownRow]:
    big = sorted((g for g in groups if g.size >= threshold), key=lambda g: g.size)
    small = [g for g in groups if g.size < threshold]
    if sum(g.size for g in groups) < threshold:
        return []
    while small and sum(g.size for g in small) < threshold:
        small.append(big.pop(0))

    def row(label: str, members: list[Group]) -> ShownRow:
        cells = {c: sum(g.cells.get(c, 0) for g in members) for c in columns}
        return ShownRow(
            label, [g.key for g in members], sum(g.size for g in members), cells, sum(cells.values())
        )

    rows = [row(g.label, [g]) for g in sorted(big, key=lambda g: g.label)]
    if small:
        rows.append(row(OTHERS, small))
    return rows


def _bridges(edges: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Entries (i, j) that are bridges of the bipartite graph row i — column j."""

    return sorted(e for e in edges if ("c", e[1]) not in _component(edges, ("r", e[0]), e))


def _component(edges: set[tuple[int, int]], start: tuple, without: tuple[int, int]) -> set:
    """The nodes reachable from ``start`` without using the entry ``without``."""
    adjacency = defaultdict(set)
    for i, j in edges:
        if (i, j) != without:
            adjacency[("r", i)].add(("c", j))
            adjacency[("c", j)].add(("r", i))
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for nxt in adjacency[node]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def protect(values: list[list[int]], suppressed: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Complementary suppression on an extended table (last row/column = totals)."""
    n_rows, n_cols = len(values), len(values[0])
    suppressed = set(suppressed)

    def cost(cell):
        i, j = cell
        # Prefer inner cells over totals, non-zero over zero, then the smallest.
        return (i == n_rows - 1 or j == n_cols - 1, values[i][j] == 0, values[i][j], cell)

    changed = True
    while changed:
        changed = False
        lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
        for line in lines:
            hidden = [c for c in line if c in suppressed]
            if len(hidden) == 1:
                candidates = [c for c in line if c not in suppressed]
                suppressed.add(min(candidates, key=cost))
                changed = True
        if changed:
            continue
        for bridge in _bridges(suppressed):
            row_side = _component(suppressed, ("r", bridge[0]), bridge)
            col_side = _component(suppressed, ("c", bridge[1]), bridge)
            candidates = [
                (i, j)
                for kind_i, i in row_side
                if kind_i == "r"
                for kind_j, j in col_side
                if kind_j == "c" and (i, j) not in suppressed
            ]
            if not candidates:  # cannot happen when every line has 0 or >= 2; be safe
                return {(i, j) for i in range(n_rows) for j in range(n_cols)}
            suppressed.add(min(candidates, key=cost))
            changed = True
            break
    return suppressed


def disclose(groups: list[Group], columns: list[str], threshold: int, min_count: int) -> DisclosedTable:
    """The displayable table for ``groups`` (see the module docstring)."""
    min_count = max(min_count, 3)  # never below 3 (R19, Organisation constraint)
    rows = merge_small_groups(groups, columns, threshold)
    table = DisclosedTable(columns=list(columns))
    if not rows:
        return table
    values = [[r.cells[c] for c in columns] + [r.total] for r in rows]
    values.append([sum(v[j] for v in values) for j in range(len(columns) + 1)])
    primary = {(i, j) for i, line in enumerate(values) for j, v in enumerate(line) if 0 < v < min_count}
    hidden = protect(values, primary)

    def shown(i, j):
        return None if (i, j) in hidden else values[i][j]

    for i, r in enumerate(rows):
        r.cells = {c: shown(i, j) for j, c in enumerate(columns)}
        r.total = shown(i, len(columns))
    table.rows = rows
    table.column_totals = {c: shown(len(rows), j) for j, c in enumerate(columns)}
    table.grand_total = shown(len(rows), len(columns))
    return table


def protect_parts(parts: list[int], total_hidden: bool, min_count: int) -> list[int | None]:
    """Disclosure control for counts of sub-periods (R19) whose sum is a total
    shown elsewhere (e.g. the new spells per month and the year's new spells
    in the counts table), as one more equation ``parts = total``.

    Primary suppression as in :func:`disclose`, then: if exactly one of the
    parts and the total is hidden, the smallest other part is hidden too
    (preferring a non-zero one). Why that is enough: the parts appear in no
    other equation shown, so a system with this equation added can only
    determine a part if the equation has a single unknown; with two unknowns
    (two parts, or a part and the total), any value of one is matched by the
    other, and the total's own table is unaffected (its protection holds
    whatever the parts are).
    """
    min_count = max(min_count, 3)
    hidden = {i for i, v in enumerate(parts) if 0 < v < min_count}
    if len(hidden) + total_hidden == 1:
        candidates = [i for i in range(len(parts)) if i not in hidden]
        if candidates:
            hidden.add(min(candidates, key=lambda i: (parts[i] == 0, parts[i], i)))
    return [None if i in hidden else v for i, v in enumerate(parts)]
