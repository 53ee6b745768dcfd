"""Disclosure control (R19, issue 7 item 3): worked examples and properties."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.disclosure import OTHERS, Group, disclose, protect_parts

COLUMNS = ["kort", "middellang", "lang"]


def test_small_groups_are_pooled_and_small_counts_suppressed():
    groups = [
        Group("a", "Inkoop", 25, {"kort": 12, "middellang": 2, "lang": 7}),
        Group("b", "Verkoop", 30, {"kort": 9, "middellang": 8, "lang": 6}),
        Group("c", "Balie", 4, {"kort": 1, "middellang": 0, "lang": 0}),
        Group("d", "Kantine", 7, {"kort": 5, "middellang": 0, "lang": 1}),
    ]
    table = disclose(groups, COLUMNS, threshold=10, min_count=5)
    # Balie (4) and Kantine (7) are below 10: pooled, 11 employees together.
    assert [(r.label, r.members, r.size) for r in table.rows] == [
        ("Inkoop", ["a"], 25),
        ("Verkoop", ["b"], 30),
        (OTHERS, ["c", "d"], 11),
    ]
    # Pooled: kort 1 + 5 = 6, middellang 0, lang 0 + 1 = 1 (< 5: suppressed).
    # Inkoop middellang 2 (< 5): suppressed.
    # Row Inkoop has one hidden cell -> its smallest other cell, lang 7, goes too.
    # Row Overige: lang 1 hidden -> smallest non-zero other, kort 6, goes too.
    # Column middellang: Inkoop hidden, Verkoop 8 and total 10 shown -> Verkoop 8 goes
    # (the zero of Overige is avoided). Column lang: Inkoop 7 and Overige 1 hidden: fine.
    # Column kort: Overige 6 hidden alone -> Verkoop 9 goes. Row Verkoop: 9 and 8 hidden.
    assert table.rows[0].cells == {"kort": 12, "middellang": None, "lang": None}
    assert table.rows[1].cells == {"kort": None, "middellang": None, "lang": 6}
    assert table.rows[2].cells == {"kort": None, "middellang": 0, "lang": None}
    assert table.column_totals == {"kort": 27, "middellang": 10, "lang": 14}
    assert [r.total for r in table.rows] == [21, 23, 7]
    assert table.grand_total == 51
    # Kort: 12 + ? + ? = 27 -> Verkoop + Overige = 15, neither alone is known.
    assert_not_derivable(table)


def test_organisation_below_threshold_shows_nothing():
    groups = [Group("a", "Klein", 6, {"kort": 9})]
    table = disclose(groups, ["kort"], threshold=10, min_count=5)
    assert table.rows == []


def test_min_count_never_below_three():
    groups = [Group("a", "A", 20, {"kort": 2, "lang": 10}), Group("b", "B", 20, {"kort": 2, "lang": 10})]
    table = disclose(groups, ["kort", "lang"], threshold=10, min_count=1)
    assert all(r.cells["kort"] is None for r in table.rows)


# -- properties --------------------------------------------------------------


def rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows]
    rank_ = 0
    n_cols = len(rows[0]) if rows else 0
    for col in range(n_cols):
        pivot = next((r for r in range(rank_, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
        for r in range(len(rows)):
            if r != rank_ and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank_][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank_], strict=True)]
        rank_ += 1
    return rank_


def assert_not_derivable(table):
    """No hidden entry follows from what is shown, by one line or by all together."""
    m = table.matrix()
    n_rows, n_cols = len(m), len(m[0])
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    hidden = sorted({(i, j) for i in range(n_rows) for j in range(n_cols) if m[i][j] is None})
    # 1. Subtracting the shown cells of a row or column from its shown total.
    for line in lines:
        assert sum(m[i][j] is None for i, j in line) != 1, line
    if not hidden:
        return
    # 2. Solving all the row and column equations together: entry k is determined
    #    exactly when its unit vector lies in the row space of the system.
    index = {cell: k for k, cell in enumerate(hidden)}
    system = []
    for line in lines:
        equation = [Fraction(0)] * len(hidden)
        for i, j in line:
            if (i, j) in index:
                # The total (last in the line) counts negatively: cells - total = 0.
                is_total = (i, j) == line[-1]
                equation[index[(i, j)]] = Fraction(-1 if is_total else 1)
        system.append(equation)
    base = rank(system)
    for k, cell in enumerate(hidden):
        unit = [Fraction(int(k == x)) for x in range(len(hidden))]
        assert rank([*system, unit]) > base, f"{cell} can be derived"


groups_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),
        st.lists(st.integers(min_value=0, max_value=15), min_size=3, max_size=3),
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=150, deadline=None)
@given(
    raw=groups_strategy,
    n_columns=st.integers(min_value=1, max_value=3),
    min_count=st.integers(min_value=3, max_value=6),
    extra_threshold=st.integers(min_value=0, max_value=10),
)
def test_disclosure_properties(raw, n_columns, min_count, extra_threshold):
    threshold = min_count + extra_threshold  # the model requires threshold >= min count
    columns = COLUMNS[:n_columns]
    groups = [
        Group(k, f"Afdeling {k}", size, dict(zip(columns, counts, strict=False)))
        for k, (size, counts) in enumerate(raw)
    ]
    table = disclose(groups, columns, threshold=threshold, min_count=min_count)

    if sum(g.size for g in groups) < threshold:
        assert table.rows == []
        return
    # Every input group is in exactly one shown row; no shown row is below the threshold.
    members = [key for r in table.rows for key in r.members]
    assert sorted(members) == list(range(len(groups)))
    assert all(r.size >= threshold for r in table.rows)
    # Shown values are true values, and never a small count.
    by_key = {g.key: g for g in groups}
    for r in table.rows:
        for c in columns:
            true = sum(by_key[k].cells[c] for k in r.members)
            assert r.cells[c] in (None, true)
    for line in table.matrix():
        for v in line:
            assert v is None or v == 0 or v >= min_count
    assert_not_derivable(table)


# -- sub-periods against a total shown elsewhere (the trend, R19) -----------------


def test_r19_protect_parts_worked_example():
    # Months 6, 2, 5 with the period total 13 shown: 2 is hidden (< 5) and, since
    # 13 - 6 - 5 would give it back, the smallest other month (5) as well.
    assert protect_parts([6, 2, 5], total_hidden=False, min_count=5) == [6, None, None]
    # Total hidden in its own table, months all large: the total would be their
    # sum, so the smallest month is hidden (then month and total are both unknown).
    assert protect_parts([6, 7, 5], total_hidden=True, min_count=5) == [6, 7, None]
    # Two small months, total shown: 6 + ? + ? = 10 already has two unknowns.
    assert protect_parts([6, 2, 2], total_hidden=False, min_count=5) == [6, None, None]


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=14),
    min_count=st.integers(min_value=3, max_value=6),
    total_protected=st.booleans(),
)
def test_r19_protect_parts_properties(parts, min_count, total_protected):
    total = sum(parts)
    # The total as its own table shows it: hidden when small, or (protected elsewhere) anyway.
    total_hidden = total_protected or 0 < total < min_count
    shown = protect_parts(parts, total_hidden=total_hidden, min_count=min_count)
    assert all(v is None or v == p for v, p in zip(shown, parts, strict=True))
    assert all(v is None or v == 0 or v >= min_count for v in shown)
    # The equation parts - total = 0 over the hidden entries; the total, when
    # hidden, is assumed undetermined by its own table (that table's protection).
    hidden = [i for i, v in enumerate(shown) if v is None] + (["total"] if total_hidden else [])
    if not hidden:
        return
    equation = [Fraction(-1 if h == "total" else 1) for h in hidden]
    for k in range(len(hidden)):
        unit = [Fraction(int(k == x)) for x in range(len(hidden))]
        assert rank([equation, unit]) > rank([equation]), f"{hidden[k]} can be derived"
