"""A terminal chart of daily demand against the daily allowance, overflow marked.

One column per day (or, for long horizons, per group of days showing the busiest one). Within a
column: ``█`` demand served by the allowance, ``▒`` demand above the allowance (served by packs),
``×`` demand left unmet (waits for midnight); ``─`` marks the allowance where no bar covers it.
Colour only when the stream is a terminal and ``NO_COLOR`` is not set; ASCII when the stream
cannot encode the block characters.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence

from configurator.billing.money import EPS, credits_text

_UNICODE = {"in": "█", "over": "▒", "unmet": "×", "line": "─", "axis": "│", "corner": "└", "base": "─"}
_ASCII = {"in": "#", "over": "+", "unmet": "x", "line": "-", "axis": "|", "corner": "+", "base": "-"}
_COLORS = {"in": "36", "over": "33", "unmet": "31", "line": "2"}


def render_chart(dates: Sequence[_dt.date], demand: Sequence[float], *, allowance: float | None,
                 unmet: Sequence[float] | None = None, allowance_label: str = "allowance", width: int = 80,
                 height: int = 10, color: bool = False, unicode: bool = True) -> str:
    """Render the chart as text (no trailing newline)."""
    n = len(demand)
    if n == 0:
        return ""
    glyph = _UNICODE if unicode else _ASCII
    unmet = unmet if unmet is not None else [0.0] * n
    allow = allowance if allowance and allowance > EPS else None

    label_w = 7
    max_cols = max(10, width - label_w - 2)
    group = max(1, math.ceil(n / max_cols))
    cols: list[tuple[float, float]] = []  # (demand, unmet) of the busiest day in each group
    for g in range(0, n, group):
        i = max(range(g, min(n, g + group)), key=lambda k: demand[k])
        cols.append((demand[i], unmet[i]))

    top = max(max(d for d, _ in cols), allow or 0.0)
    if top <= EPS:
        top = 1.0

    def rows_for(v: float) -> int:
        if v <= EPS:
            return 0
        return max(1, min(height, round(v / top * height)))

    a_row = rows_for(allow) if allow else 0

    def paint(ch: str, kind: str) -> str:
        return f"\x1b[{_COLORS[kind]}m{ch}\x1b[0m" if color and kind in _COLORS else ch

    lines: list[str] = []
    for r in range(height, 0, -1):
        if r == height:
            label = credits_text(top)
        elif r == a_row:
            label = credits_text(allow or 0)
        else:
            label = ""
        cells = []
        for d, u in cols:
            h = rows_for(d)
            served_h = rows_for(d - u) if u > EPS else h
            if r <= h:
                if r > served_h:
                    cells.append(paint(glyph["unmet"], "unmet"))
                elif allow is not None and r > a_row:
                    cells.append(paint(glyph["over"], "over"))
                else:
                    cells.append(paint(glyph["in"], "in"))
            elif r == a_row:
                cells.append(paint(glyph["line"], "line"))
            else:
                cells.append(" ")
        lines.append(f"{label:>{label_w - 1}} {glyph['axis']}{''.join(cells)}")
    lines.append(f"{'0':>{label_w - 1}} {glyph['corner']}{glyph['base'] * len(cols)}")
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    axis = " " * (label_w + 1) + first
    pad = label_w + 1 + len(cols) - len(axis) - len(last)
    lines.append(axis + " " * max(1, pad) + last)

    legend = [f"{paint(glyph['in'], 'in')} within the {allowance_label}" if allow else
              f"{paint(glyph['in'], 'in')} demand"]
    if allow:
        legend.append(f"{paint(glyph['over'], 'over')} above it")
        legend.append(f"{paint(glyph['line'], 'line')} {allowance_label} ({credits_text(allow)}/day)")
    if any(u > EPS for _, u in cols):
        legend.append(f"{paint(glyph['unmet'], 'unmet')} unmet (waits for midnight)")
    if group > 1:
        legend.append(f"one column = {group} days (the busiest shown)")
    row: list[str] = []
    visible = 0
    for item in legend:  # wrap the legend to the width (escape codes take no columns)
        size = len(_strip(item))
        if row and visible + 2 + size > width:
            lines.append("  ".join(row))
            row, visible = [], 0
        visible += size + (2 if row else 0)
        row.append(item)
    lines.append("  ".join(row))
    return "\n".join(lines)


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def can_encode(stream: object, text: str = "█▒×─│└") -> bool:
    enc = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True
