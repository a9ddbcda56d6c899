"""Draw every exercise's illustrations from the poses in
``backend/programs/content/illustrations.yaml`` into ``frontend/public/illustrations/``.

One figure, one palette and one set of props for all of them, so every picture looks
like part of the same set. A pose is described by joint angles (or a point a hand or
foot reaches, solved with two-bone inverse kinematics), so every limb keeps its length
in every picture; the checks below refuse a pose whose hand or foot goes through the
floor or misses the floor it should rest on.

    python scripts/illustrations.py           # write the files
    python scripts/illustrations.py --check   # exit 1 if a committed file differs

The only dependency is PyYAML, which the project already needs for its content files.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "backend" / "programs" / "content" / "illustrations.yaml"
OUT = ROOT / "frontend" / "public" / "illustrations"

WIDTH, HEIGHT = 240, 160
MAX_ZOOM = 1.45
MARGIN = 6

# The figure: about 120 units tall standing; segment lengths never change.
LIMB_W = 9
TORSO_W = 15
HEAD_R = 8.5
NECK = 4
LENGTHS = {"torso": 38, "upper_arm": 22, "forearm": 19, "thigh": 30, "shin": 29, "foot": 9}
# Centre-line height at which each joint rests on the floor.
REST = {"limb": 0.0, "torso": (TORSO_W - LIMB_W) / 2, "head": HEAD_R - LIMB_W / 2}
TOLERANCE = 0.75

STYLE = (
    ".b{fill:#eef4f1}.f{stroke:#b9b2a5}.i{stroke:#2f6b5f}.h{fill:#2f6b5f}.r{stroke:#93bcb0}"
    ".s{stroke:#e0965a}.p{fill:#d8cbb5;stroke:#9a8b74}.q{fill:#f6f1e7;stroke:#9a8b74}"
    ".m{fill:#cfe2db}.a{stroke:#d9783a;fill:none}.n{fill:#9a8b74}.w{fill:#fbf3d9;stroke:#9a8b74}.y{fill:#f0b44c}.g{fill:#a9cfa9}"
    "@media (prefers-color-scheme:dark){.b{fill:#1b2623}.f{stroke:#56615b}.i{stroke:#a5d9ca}"
    ".h{fill:#a5d9ca}.r{stroke:#4f7c70}.s{stroke:#e7a46c}.p{fill:#4a4238;stroke:#8c7e6a}"
    ".q{fill:#5c554b;stroke:#8c7e6a}.m{fill:#2a3d37}.a{stroke:#f0a36a}.n{fill:#8c7e6a}"
    ".w{fill:#2e3a52;stroke:#8c7e6a}.y{fill:#e2aa52}.g{fill:#3f6a4c}}"
)


class PoseError(ValueError):
    pass


Point = tuple[float, float]


def direction(angle: float) -> Point:
    rad = math.radians(angle)
    return math.cos(rad), math.sin(rad)


def along(start: Point, angle: float, length: float) -> Point:
    dx, dy = direction(angle)
    return start[0] + dx * length, start[1] + dy * length


def solve_two_bone(start: Point, target: Point, first: float, second: float, bend: int, where: str) -> Point:
    """The middle joint (elbow or knee) that puts the end exactly on ``target``.

    ``bend`` +1 puts the joint on the left of the line start->target, -1 on the right.
    """
    dx, dy = target[0] - start[0], target[1] - start[1]
    dist = math.hypot(dx, dy)
    if dist > first + second + 1e-6 or dist < abs(first - second):
        raise PoseError(f"{where}: cannot reach {target} from {start} (distance {dist:.1f})")
    along_ = (first**2 - second**2 + dist**2) / (2 * dist)
    height = math.sqrt(max(first**2 - along_**2, 0.0))
    ux, uy = dx / dist, dy / dist
    return (start[0] + ux * along_ - uy * height * bend, start[1] + uy * along_ + ux * height * bend)


@dataclass
class Canvas:
    """Shapes in pose coordinates (y up, floor at 0); placed and centred on output."""

    shapes: list[tuple[int, str, list[Point], dict[str, Any]]] = field(default_factory=list)
    order: int = 0

    def add(self, layer: int, kind: str, points: list[Point], **attrs: Any) -> None:
        self.order += 1
        self.shapes.append((layer * 1000 + self.order, kind, points, attrs))


# --- The figure ----------------------------------------------------------------------


def _chain(spec: Any, start: Point, names: tuple[str, str], lengths: tuple[float, float], where: str):
    if isinstance(spec, list):
        if len(spec) < 2:
            raise PoseError(f"{where}: give two angles or a target")
        middle = along(start, spec[0], lengths[0])
        end = along(middle, spec[1], lengths[1])
        return middle, end, spec[2] if len(spec) > 2 else None
    if isinstance(spec, dict) and "to" in spec:
        target = (float(spec["to"][0]), float(spec["to"][1]))
        middle = solve_two_bone(start, target, lengths[0], lengths[1], int(spec.get("bend", 1)), where)
        return middle, target, spec.get("foot")
    raise PoseError(f"{where}: {names[0]} must be [angle, angle] or {{to: [x, y], bend: 1|-1}}")


def draw_figure(canvas: Canvas, pose: dict[str, Any], where: str) -> dict[str, Point]:
    scale = pose.get("scale", {})

    def length(name: str) -> float:
        return LENGTHS[name] * float(scale.get(name, 1.0))

    torso_angle = float(pose["torso"])
    if "hip" in pose:
        hip = (float(pose["hip"][0]), float(pose["hip"][1]))
        shoulder = along(hip, torso_angle, length("torso"))
    else:
        shoulder = (float(pose["shoulder"][0]), float(pose["shoulder"][1]))
        hip = along(shoulder, torso_angle + 180, length("torso"))
    head_angle = float(pose.get("head", torso_angle))
    neck_end = along(shoulder, head_angle, NECK)
    head = along(shoulder, head_angle, NECK + HEAD_R)
    joints: dict[str, Point] = {"hip": hip, "shoulder": shoulder, "head": head}
    # A small nose shows which way the person faces; none when the face is towards us.
    face = pose.get("face", None if pose.get("view") == "top" else head_angle - 90)

    limbs: list[tuple[str, bool, Point, tuple[str, str], tuple[float, float]]] = []
    for side, far in (("", False), ("_far", True)):
        limbs.append(
            ("arm" + side, far, shoulder, ("elbow", "hand"), (length("upper_arm"), length("forearm")))
        )
        limbs.append(("leg" + side, far, hip, ("knee", "ankle"), (length("thigh"), length("shin"))))
    drawn: dict[str, list[Point]] = {}
    for name, far, start, (mid_name, end_name), lengths in limbs:
        spec = pose.get(name, pose.get(name.replace("_far", "")))
        if spec is None:
            raise PoseError(f"{where}: missing {name}")
        middle, end, foot = _chain(spec, start, (name, ""), lengths, f"{where}: {name}")
        suffix = "_far" if far else ""
        joints[mid_name + suffix] = middle
        joints[end_name + suffix] = end
        points = [start, middle, end]
        if name.startswith("leg"):
            if foot is None:
                raise PoseError(f"{where}: {name} needs a foot angle")
            toe = along(end, float(foot), length("foot"))
            joints["toe" + suffix] = toe
            points.append(toe)
        drawn[name] = points

    # Far limbs behind, then the near leg, the torso, the head, the near arm in front.
    canvas.add(3, "line", drawn["leg_far"], cls="r", width=LIMB_W)
    canvas.add(3, "line", drawn["arm_far"], cls="r", width=LIMB_W)
    canvas.add(5, "line", drawn["leg"], cls="i", width=LIMB_W)
    bend = float(pose.get("spine", 0))
    if bend:
        mid = ((hip[0] + shoulder[0]) / 2, (hip[1] + shoulder[1]) / 2)
        nx, ny = -math.sin(math.radians(torso_angle)), math.cos(math.radians(torso_angle))
        control = (mid[0] + nx * bend * 2, mid[1] + ny * bend * 2)
        canvas.add(6, "curve", [hip, control, shoulder], cls="s", width=TORSO_W)
        joints["spine"] = (mid[0] + nx * bend, mid[1] + ny * bend)
    else:
        canvas.add(6, "line", [hip, shoulder], cls="s", width=TORSO_W)
    canvas.add(6, "line", [shoulder, neck_end], cls="i", width=LIMB_W - 1)
    canvas.add(6, "circle", [head], cls="h", r=HEAD_R)
    if face is not None:
        canvas.add(6, "circle", [along(head, float(face), HEAD_R - 0.3)], cls="h", r=2.6)
    canvas.add(7, "line", drawn["arm"], cls="i", width=LIMB_W)
    _check(pose, joints, where)
    return joints


def _rest_height(joint: str) -> float:
    base = joint.removesuffix("_far")
    if base in ("hip", "shoulder", "spine"):
        return REST["torso"]
    if base == "head":
        return REST["head"]
    return REST["limb"]


def _check(pose: dict[str, Any], joints: dict[str, Point], where: str) -> None:
    if pose.get("view") == "top":
        return
    for name, (_, y) in joints.items():
        if y < _rest_height(name) - TOLERANCE:
            raise PoseError(f"{where}: {name} goes through the floor (y={y:.1f})")
    for name in pose.get("contacts", []):
        if name not in joints:
            raise PoseError(f"{where}: unknown contact {name!r}")
        y = joints[name][1]
        if abs(y - _rest_height(name)) > TOLERANCE:
            raise PoseError(f"{where}: {name} should rest on the floor (y={y:.1f})")


# --- Props ---------------------------------------------------------------------------


def _rect(canvas: Canvas, layer: int, x: float, y: float, w: float, h: float, cls: str, r: float = 2) -> None:
    canvas.add(layer, "rect", [(x, y), (x + w, y + h)], cls=cls, r=r)


def draw_prop(canvas: Canvas, prop: dict[str, Any], where: str) -> None:
    kind = prop["type"]
    x, y = (float(v) for v in prop.get("at", [0, 0]))
    s = float(prop.get("size", 1))
    back, front = 1, 8
    layer = int(prop["layer"]) if "layer" in prop else front if prop.get("front") else back
    if kind == "mat":
        w = float(prop.get("width", 130))
        _rect(canvas, 0, x - w / 2, -LIMB_W / 2 - 1, w, 3.5, "m", 1.5)
    elif kind == "chair":  # seat top at y, facing right; back at x - 14
        _rect(canvas, back, x - 16, y - 5, 32, 5, "p")
        _rect(canvas, back, x - 16, y - 5, 5, 42, "p")
        canvas.add(back, "line", [(x - 13, y - 5), (x - 13, -LIMB_W / 2)], cls="f", width=3.5)
        canvas.add(back, "line", [(x + 13, y - 5), (x + 13, -LIMB_W / 2)], cls="f", width=3.5)
    elif kind == "table":  # top at y
        w = float(prop.get("width", 44))
        _rect(canvas, back, x - w / 2, y - 4, w, 4, "p")
        canvas.add(back, "line", [(x - w / 2 + 4, y - 4), (x - w / 2 + 4, -LIMB_W / 2)], cls="f", width=3.5)
        canvas.add(back, "line", [(x + w / 2 - 4, y - 4), (x + w / 2 - 4, -LIMB_W / 2)], cls="f", width=3.5)
    elif kind == "bed":  # mattress top at y, from x to x + width
        w = float(prop.get("width", 150))
        _rect(canvas, 0, x, y - 12, w, 12, "q", 4)
        _rect(canvas, 0, x - 7, -LIMB_W / 2, 7, y + 22 + LIMB_W / 2, "p", 2)
        canvas.add(0, "line", [(x + w - 5, y - 12), (x + w - 5, -LIMB_W / 2)], cls="f", width=5)
    elif kind == "rug":  # seen from above: a mat from (x, y) to (x + width, y + height)
        _rect(canvas, 0, x, y, float(prop["width"]), float(prop["height"]), "m", 8)
    elif kind == "blanket":  # over a lying body, from x to x + width, top at y
        w = float(prop["width"])
        _rect(canvas, front, x, y - 14, w, 14, "w", 6)
    elif kind == "pillow":
        w, h = float(prop.get("width", 26)) * s, float(prop.get("height", 8)) * s
        canvas.add(layer, "ellipse", [(x, y + h / 2)], cls="q", rx=w / 2, ry=h / 2)
    elif kind == "cushion":
        _rect(canvas, layer, x - 16 * s, y, 32 * s, 9 * s, "q", 4)
    elif kind == "cup":
        _rect(canvas, layer, x - 4.5, y, 9, 10, "q", 2)
        canvas.add(
            layer,
            "path",
            [(x + 4.5, y + 7.5), (x + 8, y + 6), (x + 8, y + 3.5), (x + 4.5, y + 2.5)],
            cls="a",
            width=1.8,
            smooth=True,
        )
        if prop.get("steam", True):
            for dx in (-2, 2):
                canvas.add(
                    layer,
                    "path",
                    [(x + dx, y + 12), (x + dx + 2, y + 15), (x + dx, y + 18), (x + dx + 2, y + 21)],
                    cls="a",
                    width=1.6,
                    smooth=True,
                )
    elif kind == "glass":
        _rect(canvas, layer, x - 3.5, y, 7, 12, "w", 1.5)
    elif kind == "phone":  # lying flat (face down) on a surface at y
        _rect(canvas, layer, x - 8, y, 16, 2.6, "n", 1.2)
    elif kind == "book":  # open, held or on a table: centred at (x, y)
        angle = float(prop.get("angle", 0))
        half = 9 * s
        left = along((x, y), angle + 180 - 20, half)
        right = along((x, y), angle + 20, half)
        canvas.add(layer, "path", [left, (x, y), right], cls="p", width=3.5, fillnone=True)
    elif kind == "notebook":
        _rect(canvas, layer, x - 9, y, 18, 2.4, "w", 1)
    elif kind == "pen":
        canvas.add(layer, "line", [(x, y), along((x, y), float(prop.get("angle", 60)), 12)], cls="a", width=2)
    elif kind == "clock":
        r = 10 * s
        canvas.add(layer, "circle", [(x, y)], cls="w", r=r, stroke=2)
        hour, minute = float(prop.get("hour", 2)), float(prop.get("minute", 0))
        canvas.add(
            layer,
            "line",
            [(x, y), along((x, y), 90 - (hour % 12 + minute / 60) * 30, r * 0.5)],
            cls="i",
            width=2,
        )
        canvas.add(layer, "line", [(x, y), along((x, y), 90 - minute * 6, r * 0.75)], cls="i", width=1.6)
    elif kind == "window":  # bottom-left corner at (x, y)
        w, h = float(prop.get("width", 40)), float(prop.get("height", 46))
        _rect(canvas, back, x, y, w, h, "w", 2)
        sky = prop.get("sky")
        if sky == "sun":
            canvas.add(back, "circle", [(x + w * 0.62, y + h * 0.62)], cls="h", r=6, sun=True)
        elif sky == "moon":
            canvas.add(back, "moon", [(x + w * 0.52, y + h * 0.68)], r=5)
        curtains = prop.get("curtains", "open")
        cw = w * (0.4 if curtains == "closed" else 0.18)
        _rect(canvas, back, x - 2, y - 2, cw + 2, h + 4, "p", 2)
        _rect(canvas, back, x + w - cw, y - 2, cw + 2, h + 4, "p", 2)
    elif kind == "lamp":  # floor lamp at x; shade top at y
        canvas.add(back, "line", [(x, y - 12), (x, -LIMB_W / 2)], cls="f", width=3)
        canvas.add(
            back,
            "path",
            [(x - 8, y - 12), (x - 4, y), (x + 4, y), (x + 8, y - 12)],
            cls="p",
            width=2,
            closed=True,
        )
        if prop.get("dim"):
            for angle in (-60, -90, -120):
                start = along((x, y - 14), angle, 4)
                canvas.add(back, "line", [start, along(start, angle, 4)], cls="a", width=1.8)
    elif kind == "tree":
        canvas.add(back, "line", [(x, 0), (x, y - 10)], cls="f", width=5)
        canvas.add(back, "circle", [(x, y)], cls="g", r=14 * s)
    elif kind == "sun":
        canvas.add(back, "circle", [(x, y)], cls="h", r=7, sun=True)
    elif kind == "heatpack":
        _rect(canvas, layer, x - 9, y, 18, 7, "q", 3)
        for dx in (-4, 0, 4):
            canvas.add(
                layer,
                "path",
                [(x + dx, y + 9), (x + dx + 1.5, y + 11.5), (x + dx, y + 14)],
                cls="a",
                width=1.6,
                smooth=True,
            )
    elif kind == "icepack":  # an ice pack wrapped in a towel, a snowflake above it
        _rect(canvas, layer, x - 10, y, 20, 8, "q", 3)
        _rect(canvas, layer, x - 6, y + 2, 12, 4, "m", 1.5)
        centre = (x, y + 14)
        for angle in (90, 30, -30):
            canvas.add(
                layer,
                "line",
                [along(centre, angle, 3.5), along(centre, angle + 180, 3.5)],
                cls="r",
                width=1.6,
            )
    elif kind == "thought":  # a thought bubble at (x, y) holding a calm place: a tree and the sun
        w, h = float(prop.get("width", 40)), float(prop.get("height", 28))
        canvas.add(back, "ellipse", [(x, y)], cls="w", rx=w / 2, ry=h / 2)
        tail = [float(v) for v in prop.get("tail", [x - w / 2, y - h / 2 - 10])]
        for t, r in ((0.35, 2.4), (0.75, 1.6)):
            point = (x - w * 0.25 + (tail[0] - x + w * 0.25) * t, y - h * 0.45 + (tail[1] - y + h * 0.45) * t)
            canvas.add(back, "circle", [point], cls="w", r=r, stroke=1.6)
        canvas.add(
            back, "line", [(x - w * 0.18, y - h * 0.3), (x - w * 0.18, y - h * 0.05)], cls="f", width=2.4
        )
        canvas.add(back, "circle", [(x - w * 0.18, y + h * 0.08)], cls="g", r=h * 0.2)
        canvas.add(back, "circle", [(x + w * 0.2, y + h * 0.12)], cls="h", r=h * 0.09, sun=True)
    elif kind == "notes":  # musical notes rising from (x, y): humming
        for index in range(int(prop.get("count", 2))):
            nx, ny = x + index * 8, y + index * 6
            canvas.add(front, "circle", [(nx, ny)], cls="a", r=2.2, stroke=1.8)
            canvas.add(
                front, "line", [(nx + 2.2, ny), (nx + 2.2, ny + 9), (nx + 5.5, ny + 6.5)], cls="a", width=1.8
            )
    elif kind == "arrow":  # a curved arrow through the given points
        points = [(float(px), float(py)) for px, py in prop["points"]]
        canvas.add(front, "arrow", points, cls="a", width=2.2)
    elif kind == "breath":  # wavy lines leaving the mouth at (x, y) in direction angle
        angle = float(prop.get("angle", 0))
        count = int(prop.get("count", 2))
        for index in range(count):
            offset = (index - (count - 1) / 2) * 5
            base = along((x, y), angle + 90, offset)
            length = float(prop.get("length", 18))
            pts = [along(base, angle, t) for t in (0, length / 3, 2 * length / 3, length)]
            wobble = [along(p, angle + 90, 1.8 * (1 if i % 2 else -1)) for i, p in enumerate(pts)]
            canvas.add(front, "path", wobble, cls="a", width=1.8, smooth=True)
    elif kind == "marks":  # short strokes radiating from (x, y): tension or warmth
        for angle in prop.get("angles", [45, 90, 135]):
            start = along((x, y), float(angle), 5)
            canvas.add(front, "line", [start, along(start, float(angle), 5)], cls="a", width=2)
    elif kind == "zzz":
        for index, size in enumerate((4.0, 5.5, 7.0)):
            ox, oy = x + index * 7, y + index * 7
            canvas.add(
                front,
                "path",
                [(ox, oy + size), (ox + size, oy + size), (ox, oy), (ox + size, oy)],
                cls="a",
                width=1.8,
            )
    else:
        raise PoseError(f"{where}: unknown prop {kind!r}")


# --- Output ----------------------------------------------------------------------------


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _bounds(shapes) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for _, kind, points, attrs in shapes:
        pad = attrs.get("width", 0) / 2 + attrs.get("r", 0) + attrs.get("rx", 0)
        pad_y = attrs.get("width", 0) / 2 + attrs.get("r", 0) + attrs.get("ry", 0)
        if kind == "rect":
            pad = pad_y = 0
        for px, py in points:
            xs += [px - pad, px + pad]
            ys += [py - pad_y, py + pad_y]
    return min(xs), max(xs), min(ys), max(ys)


def layout(frame: dict[str, Any], where: str) -> tuple[Canvas, tuple[float, float, float, float]]:
    canvas = Canvas()
    draw_figure(canvas, frame["pose"], where)
    for prop in frame.get("props", []):
        draw_prop(canvas, prop, where)
    return canvas, _bounds([s for s in canvas.shapes if s[2]])


GROUND = LIMB_W / 2 + 1.5  # the floor line's centre, below y=0


def fit(frame: dict[str, Any], bounds: tuple[float, float, float, float]) -> float:
    """The largest zoom at which this picture fits the frame."""
    min_x, max_x, min_y, max_y = bounds
    wide = (WIDTH - 2 * MARGIN) / (max_x - min_x)
    if frame["pose"].get("view") == "top":
        return min(wide, (HEIGHT - 2 * MARGIN) / (max_y - min_y))
    return min(wide, (HEIGHT - 2 * MARGIN) / (max_y + GROUND + 1.5))


def render(frame: dict[str, Any], where: str, zoom: float) -> str:
    canvas, (min_x, max_x, min_y, max_y) = layout(frame, where)
    top = frame["pose"].get("view") == "top"
    cx = (min_x + max_x) / 2 - float(frame.get("shift", 0))
    # Side views stand on the floor line at the bottom; views from above are centred.
    base = HEIGHT / 2 + zoom * (min_y + max_y) / 2 if top else HEIGHT - MARGIN - zoom * (GROUND + 1.5)

    def pt(p: Point) -> str:
        return f"{_fmt(p[0] - cx)} {_fmt(-p[1])}"

    body: list[str] = []
    for _, kind, points, attrs in sorted(canvas.shapes, key=lambda s: s[0]):
        cls = attrs.get("cls", "")
        if kind == "line":
            d = "M" + " L".join(pt(p) for p in points)
            body.append(f'<path class="{cls}" stroke-width="{_fmt(attrs["width"])}" d="{d}"/>')
        elif kind == "curve":
            d = f"M{pt(points[0])} Q{pt(points[1])} {pt(points[2])}"
            body.append(f'<path class="{cls}" stroke-width="{_fmt(attrs["width"])}" d="{d}"/>')
        elif kind in ("path", "arrow"):
            if attrs.get("smooth") and len(points) >= 3:
                d = f"M{pt(points[0])}"
                for i in range(1, len(points) - 1):
                    mid = ((points[i][0] + points[i + 1][0]) / 2, (points[i][1] + points[i + 1][1]) / 2)
                    end = mid if i < len(points) - 2 else points[-1]
                    d += f" Q{pt(points[i])} {pt(end)}"
            else:
                d = "M" + " L".join(pt(p) for p in points) + (" Z" if attrs.get("closed") else "")
            extra = ' fill="none"' if attrs.get("fillnone") else ""
            body.append(f'<path class="{cls}"{extra} stroke-width="{_fmt(attrs["width"])}" d="{d}"/>')
            if kind == "arrow":
                (ax, ay), (bx, by) = points[-2], points[-1]
                angle = math.degrees(math.atan2(by - ay, bx - ax))
                wings = [
                    along(points[-1], angle + 180 + 35, 6),
                    points[-1],
                    along(points[-1], angle + 180 - 35, 6),
                ]
                body.append(
                    f'<path class="{cls}" stroke-width="{_fmt(attrs["width"])}" d="M{" L".join(pt(p) for p in wings)}"/>'
                )
        elif kind == "circle":
            stroke = attrs.get("stroke")
            extra = f' stroke-width="{_fmt(stroke)}"' if stroke else ""
            if attrs.get("sun"):
                extra = ""
                cls = "y"
                for angle in range(0, 360, 45):
                    a, b = (
                        along(points[0], angle, attrs["r"] + 2.5),
                        along(points[0], angle, attrs["r"] + 5.5),
                    )
                    body.append(f'<path class="a" stroke-width="1.8" d="M{pt(a)} L{pt(b)}"/>')
            x, y = pt(points[0]).split()
            cls_attr = f' class="{cls}"' if cls else ""
            body.append(f'<circle{cls_attr}{extra} cx="{x}" cy="{y}" r="{_fmt(attrs["r"])}"/>')
        elif kind == "ellipse":
            x, y = pt(points[0]).split()
            body.append(
                f'<ellipse class="{cls}" stroke-width="2" cx="{x}" cy="{y}" rx="{_fmt(attrs["rx"])}" ry="{_fmt(attrs["ry"])}"/>'
            )
        elif kind == "rect":
            (x0, y0), (x1, y1) = points
            sx, sy = x0 - cx, -y1
            body.append(
                f'<rect class="{cls}" stroke-width="2" x="{_fmt(sx)}" y="{_fmt(sy)}" width="{_fmt(x1 - x0)}" '
                f'height="{_fmt(y1 - y0)}" rx="{_fmt(attrs.get("r", 2))}"/>'
            )
        elif kind == "moon":
            mx, my = points[0]
            r = attrs["r"]
            a, b = pt((mx, my + r)), pt((mx, my - r))
            body.append(
                f'<path class="y" d="M{a} A{_fmt(r)} {_fmt(r)} 0 1 0 {b} A{_fmt(r * 0.7)} {_fmt(r)} 0 1 1 {a}Z"/>'
            )
    if not top:
        reach = (WIDTH / 2 - MARGIN) / zoom
        body.insert(
            0, f'<path class="f" stroke-width="3" d="M{_fmt(-reach)} {_fmt(GROUND)} H{_fmt(reach)}"/>'
        )
    alt = escape(frame["alt"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="t"><title id="t">{alt}</title><style>{STYLE}'
        "path,rect,circle,ellipse{stroke-linecap:round;stroke-linejoin:round}path{fill:none}.y{stroke:none}</style>"
        f'<rect class="b" width="{WIDTH}" height="{HEIGHT}" rx="12"/>'
        f'<g transform="translate({WIDTH // 2} {_fmt(base)}) scale({zoom:.3f})">{"".join(body)}</g></svg>\n'
    )


def load(path: Path = DATA) -> dict[str, list[dict[str, Any]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("illustrations"), dict):
        raise PoseError(f"{path.name}: expected a mapping with an 'illustrations' mapping")
    return data["illustrations"]


def build(path: Path = DATA) -> dict[str, str]:
    """Every file name and its SVG text."""
    files: dict[str, str] = {}
    errors: list[str] = []
    data = load(path)
    # One zoom for all of an exercise's pictures, so its start and end match in size.
    zooms: dict[str, float] = {}
    for slug, frames in data.items():
        try:
            zooms[slug] = min([MAX_ZOOM] + [fit(f, layout(f, f"{slug} {f.get('frame')}")[1]) for f in frames])
        except (PoseError, KeyError, TypeError, ValueError) as exc:
            errors.append(str(exc))
    if errors:
        raise PoseError("\n".join(errors))
    for slug, frames in data.items():
        for frame in frames:
            where = f"{path.name}: {slug} {frame.get('frame')}"
            try:
                files[f"{slug}-{frame['frame']}.svg"] = render(frame, where, zooms[slug])
            except (PoseError, KeyError, TypeError, ValueError) as exc:
                errors.append(str(exc) if isinstance(exc, PoseError) else f"{where}: {exc!r}")
    if errors:
        raise PoseError("\n".join(errors))
    return files


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        on_disk = {p.name: p.read_text(encoding="utf-8") for p in OUT.glob("*.svg")}
        stale = sorted(name for name in set(files) | set(on_disk) if files.get(name) != on_disk.get(name))
        if stale:
            print("out of date (run python scripts/illustrations.py):", ", ".join(stale))
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.svg"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"{len(files)} illustrations in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
