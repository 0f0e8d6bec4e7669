"""Point labels that avoid each other: greedy placement among candidate positions.

No extra dependency (adjustText is not needed for 13–20 labels): every label
tries positions around its point, nearest first, and takes the one that
overlaps least with labels already placed, with the labelled points, and with
other points; labels that end up away from their point get a thin leader line.
The result is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.text import Annotation

from fou.plotting._base import LABEL_GID, PALETTE, _renderer, _root

# Directions (dx, dy, ha, va), nearest-looking first.
_DIRECTIONS: tuple[tuple[float, float, str, str], ...] = (
    (1.0, 0.6, "left", "bottom"),
    (1.0, -0.6, "left", "top"),
    (-1.0, 0.6, "right", "bottom"),
    (-1.0, -0.6, "right", "top"),
    (1.2, 0.0, "left", "center"),
    (-1.2, 0.0, "right", "center"),
    (0.0, 1.2, "center", "bottom"),
    (0.0, -1.2, "center", "top"),
    (0.5, 1.2, "left", "bottom"),
    (-0.5, 1.2, "right", "bottom"),
    (0.5, -1.2, "left", "top"),
    (-0.5, -1.2, "right", "top"),
)
# Distances in multiples of *offset*; beyond the first a leader line is drawn.
_DISTANCES: tuple[float, ...] = (1.0, 2.2, 3.6, 5.2, 7.2, 10.0, 14.0)


def _box(
    px: float, py: float, ox: float, oy: float, w: float, h: float, ha: str, va: str
) -> np.ndarray:
    x = px + ox
    y = py + oy
    x0 = x if ha == "left" else (x - w if ha == "right" else x - w / 2)
    y0 = y if va == "bottom" else (y - h if va == "top" else y - h / 2)
    return np.array([x0, y0, x0 + w, y0 + h])


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _distance(box: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Distance from each point to the rectangle *box* (0 inside)."""
    dx = np.maximum.reduce([box[0] - pts[:, 0], np.zeros(len(pts)), pts[:, 0] - box[2]])
    dy = np.maximum.reduce([box[1] - pts[:, 1], np.zeros(len(pts)), pts[:, 1] - box[3]])
    return np.hypot(dx, dy)


def _points_inside(box: np.ndarray, pts: np.ndarray, pad: float) -> int:
    if len(pts) == 0:
        return 0
    inside = (
        (pts[:, 0] > box[0] - pad) & (pts[:, 0] < box[2] + pad)
        & (pts[:, 1] > box[1] - pad) & (pts[:, 1] < box[3] + pad)
    )  # fmt: skip
    return int(inside.sum())


def place_labels(
    ax: Axes,
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    texts: Sequence[str],
    *,
    obstacles: tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray] | None = None,
    color: str | Sequence[str] = PALETTE["text"],
    fontsize: float = 8,
    offset: float = 4.0,
    fontweight: str | Sequence[str] = "normal",
    gid: str = LABEL_GID,
) -> list[Annotation]:
    """Label points (x, y) with *texts*, avoiding overlaps; return the annotations.

    Parameters
    ----------
    ax
        Axes with the points already drawn (limits are frozen first).
    x, y
        Data coordinates of the labelled points (finite).
    texts
        One label per point.
    obstacles
        Other points (data coordinates) that labels should rather not cover.
    color, fontweight
        One value, or one per label.
    fontsize
        Points.
    offset
        Distance between point and label at the nearest position, in points.
    gid
        ``gid`` of every annotation.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(texts)
    if n == 0:
        return []
    colors = [color] * n if isinstance(color, str) else list(color)
    weights = [fontweight] * n if isinstance(fontweight, str) else list(fontweight)
    fig = _root(ax)
    # Freeze limits so that pixel positions computed now stay valid.
    ax.autoscale_view()
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    fig.draw_without_rendering()
    renderer = _renderer(fig)
    px_per_pt = fig.dpi / 72.0
    pts = ax.transData.transform(np.column_stack([x, y]))
    if obstacles is not None and len(obstacles[0]):
        obs = ax.transData.transform(
            np.column_stack([np.asarray(obstacles[0], float), np.asarray(obstacles[1], float)])
        )
        obs = obs[np.isfinite(obs).all(axis=1)]
    else:
        obs = np.empty((0, 2))
    axbox = ax.get_window_extent(renderer)
    bounds = np.array([axbox.x0, axbox.y0, axbox.x1, axbox.y1])

    sizes = []
    for t, c, wt in zip(texts, colors, weights, strict=True):
        probe = ax.text(0, 0, t, fontsize=fontsize, fontweight=wt, color=c)
        bb = probe.get_window_extent(renderer)
        sizes.append((bb.width, bb.height))
        probe.remove()

    # Place labels of crowded points first (they have fewer free positions).
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    crowd = (d < 40 * px_per_pt).sum(axis=1)
    order = sorted(range(n), key=lambda i: (-crowd[i], i))
    placed: list[np.ndarray] = []
    chosen: dict[int, tuple[float, float, str, str, float]] = {}
    off = offset * px_per_pt
    for i in order:
        w, h = sizes[i]
        best = None
        for dist in _DISTANCES:
            for dx, dy, ha, va in _DIRECTIONS:
                ox, oy = dx * off * dist, dy * off * dist
                box = _box(pts[i, 0], pts[i, 1], ox, oy, w, h, ha, va)
                cost = 0.0
                out = (
                    max(0.0, bounds[0] - box[0]) + max(0.0, box[2] - bounds[2])
                    + max(0.0, bounds[1] - box[1]) + max(0.0, box[3] - bounds[3])
                )  # fmt: skip
                cost += 50.0 * out
                cost += sum(_overlap(box, p) for p in placed) * 10.0
                others = np.delete(pts, i, axis=0)
                cost += 400.0 * _points_inside(box, others, 2.5 * px_per_pt)
                # A label nearer to another labelled point than to its own misleads.
                if len(others):
                    own = _distance(box, pts[i : i + 1])[0]
                    near = _distance(box, others) < own + 8.0 * px_per_pt
                    cost += 150.0 * int(near.sum())
                cost += 40.0 * _points_inside(box, obs, 1.5 * px_per_pt)
                cost += 30.0 * (dist - 1.0)  # prefer near positions
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, ox, oy, ha, va, dist, box)
            if best is not None and best[0] < 1.0:
                break
        assert best is not None
        _, ox, oy, ha, va, dist, box = best
        gap = 1.5 * px_per_pt  # keep labels a little apart, not just touching
        placed.append(box + np.array([-gap, -gap, gap, gap]))
        chosen[i] = (ox, oy, ha, va, dist)

    annotations: list[Annotation] = []
    for i in range(n):
        ox, oy, ha, va, dist = chosen[i]
        arrow: dict[str, Any] | None = None
        if dist > 1.0:
            arrow = {
                "arrowstyle": "-",
                "color": "#8C8C8C",
                "linewidth": 0.6,
                "shrinkA": 1,
                "shrinkB": 3,
            }
        ann = ax.annotate(
            texts[i],
            (x[i], y[i]),
            xytext=(ox / px_per_pt, oy / px_per_pt),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=fontsize,
            fontweight=weights[i],
            color=colors[i],
            arrowprops=arrow,
            gid=gid,
            zorder=6,
            annotation_clip=False,
            path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.85)],
        )
        annotations.append(ann)
    return annotations
