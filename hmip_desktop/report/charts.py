"""Vector charts for the PDF: the healthy prison outcomes chart and pinned figures.

Drawn with plain reportlab.graphics shapes rather than the chart widgets so every string is
in the embedded font, long labels wrap, and a missing score reads "Not scored" instead of
being a zero-length bar that looks like the worst score.
"""

from __future__ import annotations

import math

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from hmip_desktop.domain.report_doc import FigureChart, ScoreChart
from hmip_desktop.report.pdf_styles import (
    ACCENT,
    ACCENT_LIGHT,
    INK,
    ITALIC,
    MUTED,
    REGULAR,
    RULE,
    drawable,
)

LABEL_SIZE = 8
LINE = LABEL_SIZE * 1.2
NOT_SCORED = "Not scored"


def _fitting(text: str, width: float, size: float, end: str = "") -> int:
    """How many leading characters of `text`, followed by `end`, fit in `width` (at least
    one)."""
    low, high = 1, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(text[:mid] + end, REGULAR, size) <= width:
            low = mid
        else:
            high = mid - 1
    return low


def _lines(text: str, width: float, size: float = LABEL_SIZE, most: int = 3) -> list[str]:
    lines: list[str] = []
    for line in simpleSplit(drawable(text), REGULAR, size, width) or [""]:
        # simpleSplit leaves a word wider than the column (a URL, a case reference) whole,
        # and a right-aligned label then runs off the page: cut it where it fits.
        while len(lines) <= most and stringWidth(line, REGULAR, size) > width:
            cut = _fitting(line, width, size)
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
        if len(lines) > most:
            break
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1].rstrip()
        lines[-1] = last[:_fitting(last, width, size, "…")] + "…"
    return lines


def _text(x: float, y: float, text: str, *, size: float = LABEL_SIZE, font: str = REGULAR,
          anchor: str = "start", color=MUTED) -> String:  # noqa: ANN001 - a reportlab Color
    return String(x, y, text, fontName=font, fontSize=size, fillColor=color,
                  textAnchor=anchor)


def _label_block(d: Drawing, lines: list[str], x: float, y_mid: float, width: float) -> None:
    """Right-aligned wrapped label centred vertically on y_mid."""
    top = y_mid + (len(lines) - 1) * LINE / 2 - LABEL_SIZE * 0.35
    for i, line in enumerate(lines):
        d.add(_text(x + width, top - i * LINE, line, anchor="end", color=INK))


def _drawing(width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    # Otherwise the renderer's initial state selects Helvetica, which then gets embedded.
    d.initialFontName = REGULAR
    d.initialFontSize = LABEL_SIZE
    return d


def _legend(d: Drawing, x: float, y: float, items: list[tuple[str, object]]) -> None:
    for label, color in items:
        d.add(Rect(x, y - 1, 8, 8, fillColor=color, strokeColor=None))
        d.add(_text(x + 11, y, drawable(label), color=INK))
        x += 11 + stringWidth(drawable(label), REGULAR, LABEL_SIZE) + 14


def score_chart(chart: ScoreChart, width: float) -> Drawing:
    """Horizontal bars per test (current, and previous when given) against the scale."""
    levels = sorted(chart.levels)
    top_value = max((v for v, _ in levels), default=1) or 1
    label_w = width * 0.32
    plot_x = label_w + 8
    plot_w = width - plot_x - 10
    has_previous = bool(chart.previous_label) or any(p is not None for _, _, p in chart.rows)
    bar_h = 9.0
    group_h = bar_h * (2 if has_previous else 1) + 2 + 9
    row_labels = [_lines(label, label_w) for label, _, _ in chart.rows]
    row_hs = [max(group_h, len(lines) * LINE + 6) for lines in row_labels]
    tick_w = plot_w / max(len(levels), 1)
    tick_lines = [_lines(label, max(tick_w - 4, 20), LABEL_SIZE - 0.5) for _, label in levels]
    axis_h = max((len(t) for t in tick_lines), default=1) * LINE + 8
    legend_h = 16
    height = legend_h + sum(row_hs) + axis_h + 4
    d = _drawing(width, height)

    def x_of(value: float) -> float:
        return plot_x + plot_w * min(max(value, 0), top_value) / top_value

    legend = [(chart.current_label or "Current", ACCENT)]
    if has_previous:
        legend.append((chart.previous_label or "Previous", ACCENT_LIGHT))
    _legend(d, plot_x, height - 10, legend)
    y = height - legend_h
    for (_label, current, previous), lines, row_h in zip(chart.rows, row_labels, row_hs,
                                                       strict=True):
        _label_block(d, lines, 0, y - row_h / 2, label_w)
        bars = [(current, ACCENT)] + ([(previous, ACCENT_LIGHT)] if has_previous else [])
        bar_y = y - (row_h - bar_h * len(bars)) / 2 - bar_h
        for value, color in bars:
            if value is None:
                d.add(_text(plot_x + 3, bar_y + 2, NOT_SCORED, font=ITALIC,
                            size=LABEL_SIZE - 0.5))
            else:
                d.add(Rect(plot_x, bar_y, max(x_of(value) - plot_x, 1), bar_h,
                           fillColor=color, strokeColor=None))
            bar_y -= bar_h
        y -= row_h
    axis_y = y
    d.add(Line(plot_x, axis_y, plot_x + plot_w, axis_y, strokeColor=MUTED, strokeWidth=0.6))
    d.add(Line(plot_x, axis_y, plot_x, height - legend_h, strokeColor=MUTED,
               strokeWidth=0.6))
    for (value, _), lines in zip(levels, tick_lines, strict=True):
        x = x_of(value)
        d.add(Line(x, axis_y, x, height - legend_h, strokeColor=RULE, strokeWidth=0.3,
                   strokeDashArray=(2, 2)))
        d.add(Line(x, axis_y, x, axis_y - 3, strokeColor=MUTED, strokeWidth=0.6))
        for i, line in enumerate(lines):
            d.add(_text(min(x, plot_x + plot_w - 2), axis_y - 4 - LINE * (i + 1) + 2,
                        line, size=LABEL_SIZE - 0.5, anchor="middle" if x < plot_x + plot_w
                        - 20 else "end"))
    return d


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _finite(value: float) -> float:
    # NaN or infinity would be written into the PDF as coordinates and break the file.
    return value if math.isfinite(value) else 0.0


def figure_chart(chart: FigureChart, width: float, max_height: float) -> Drawing:
    """Horizontal bars with the value at the end; rows shrink so the chart fits one page."""
    shown = list(zip(chart.labels, chart.values, strict=False))
    pairs = [(label, _finite(float(v))) for label, v in shown]
    label_w = width * 0.32
    plot_x = label_w + 8
    value_w = max((stringWidth(_number(v), REGULAR, LABEL_SIZE) for _, v in shown),
                  default=0) + 6
    plot_w = max(width - plot_x - value_w, 40)
    low = min([0.0] + [v for _, v in pairs])
    high = max([0.0] + [v for _, v in pairs]) or 1.0
    span = (high - low) or 1.0
    axis_h = 16
    row_h = 16.0
    most = 2
    if pairs and len(pairs) * row_h + axis_h > max_height:
        row_h = max((max_height - axis_h) / len(pairs), 6.0)
        most = 1
    size = min(LABEL_SIZE, row_h * 0.7)
    height = len(pairs) * row_h + axis_h
    d = _drawing(width, height)

    def x_of(value: float) -> float:
        return plot_x + plot_w * (value - low) / span

    zero = x_of(0.0)
    y = height
    for (label, value), (_, raw) in zip(pairs, shown, strict=True):
        lines = _lines(label, label_w, size, most)
        mid = y - row_h / 2
        top = mid + (len(lines) - 1) * size * 1.2 / 2 - size * 0.35
        for i, line in enumerate(lines):
            d.add(_text(label_w, top - i * size * 1.2, line, size=size, anchor="end",
                        color=INK))
        bar_h = row_h * 0.6
        left, right = sorted((zero, x_of(value)))
        d.add(Rect(left, mid - bar_h / 2, max(right - left, 0.5), bar_h, fillColor=ACCENT,
                   strokeColor=None))
        d.add(_text(right + 3, mid - size * 0.35, _number(raw), size=size))
        y -= row_h
    d.add(Line(zero, axis_h, zero, height, strokeColor=MUTED, strokeWidth=0.6))
    d.add(Line(plot_x, axis_h, plot_x + plot_w, axis_h, strokeColor=MUTED, strokeWidth=0.6))
    d.add(_text(plot_x + plot_w, axis_h - 11, drawable(chart.value_label), anchor="end",
                size=LABEL_SIZE - 0.5))
    return d
