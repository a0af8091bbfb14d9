"""Files to take away for slides and notes: a process as an animated GIF, a picture as a PNG.

Frames are uint8 arrays, ``(H, W)`` grey or ``(H, W, 3)`` colour, or PIL images; clouds of 2-D
points become frames with :func:`cloud_frames` (one dot per point, the same square of the plane
in every frame, so the motion reads as it does on the page). The bytes are built in memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core import paths

Frame = np.ndarray | Image.Image


def _image(frame: Frame, scale: int = 1) -> Image.Image:
    image = frame if isinstance(frame, Image.Image) else Image.fromarray(np.asarray(frame, dtype=np.uint8))
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    return image


def png_bytes(frame: Frame, *, scale: int = 1) -> bytes:
    """One picture as PNG (pixels enlarged ``scale`` times, without smoothing)."""
    out = io.BytesIO()
    _image(frame, scale).save(out, format="PNG")
    return out.getvalue()


def gif_bytes(frames: Sequence[Frame], *, duration_ms: int = 100, last_ms: int = 1500, scale: int = 1) -> bytes:
    """An animated GIF that loops: ``duration_ms`` per frame, the last frame held ``last_ms``."""
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    images = [_image(f, scale).convert("RGB") for f in frames]
    durations = [duration_ms] * (len(images) - 1) + [last_ms]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0,
                   optimize=False, disposal=1)
    return out.getvalue()


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """The app's type at ``size`` pixels (French titles need its accents); Pillow's own if the file is missing."""
    try:
        return ImageFont.truetype(str(paths.FONT), size)
    except OSError:
        return ImageFont.load_default(size=size)


def cloud_frames(clouds: np.ndarray, *, limit: float, size: int = 480, colours: np.ndarray | None = None,
                 radius: float = 2.2, titles: Sequence[str] | None = None) -> list[Image.Image]:
    """Frames of clouds of 2-D points ``(K, n, 2)``, the square ``[-limit, limit]^2`` drawn ``size`` pixels wide.

    ``colours``: one RGB per point ``(n, 3)`` (default a single blue). ``titles``: a line of text per frame.
    """
    clouds = np.asarray(clouds, dtype=float)
    if clouds.ndim != 3 or clouds.shape[-1] != 2:
        raise ValueError(f"clouds must be (K, n, 2), got {clouds.shape}")
    n = clouds.shape[1]
    fill = np.tile([31, 119, 180], (n, 1)) if colours is None else np.asarray(colours, dtype=int)
    top = 30 if titles else 0
    font = _font(18)
    frames = []
    for k, points in enumerate(clouds):
        image = Image.new("RGB", (size, size + top), "white")
        draw = ImageDraw.Draw(image)
        mid = size / 2
        draw.line([(0, top + mid), (size, top + mid)], fill=(220, 220, 220))
        draw.line([(mid, top), (mid, top + size)], fill=(220, 220, 220))
        xy = (points / limit + 1) * mid
        for (x, y), c in zip(xy, fill):
            y = top + size - y  # up is up
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=tuple(int(v) for v in c))
        if titles:
            draw.text((8, 5), titles[k], fill=(51, 51, 51), font=font)
        frames.append(image)
    return frames


def side_by_side(*rows: Sequence[Image.Image], gap: int = 8) -> list[Image.Image]:
    """Frame ``k`` of each sequence, next to each other (the sequences have the same length)."""
    if len({len(r) for r in rows}) != 1:
        raise ValueError("the sequences must have the same number of frames")
    out = []
    for frames in zip(*rows):
        width = sum(f.width for f in frames) + gap * (len(frames) - 1)
        image = Image.new("RGB", (width, max(f.height for f in frames)), "white")
        x = 0
        for f in frames:
            image.paste(f, (x, 0))
            x += f.width + gap
        out.append(image)
    return out


def stacked(*pictures: Image.Image, gap: int = 6) -> Image.Image:
    """Pictures one under the other on white (the rows of a figure saved as one PNG)."""
    out = Image.new("RGB", (max(p.width for p in pictures), sum(p.height for p in pictures) + gap * (len(pictures) - 1)),
                    "white")
    y = 0
    for p in pictures:
        out.paste(p.convert("RGB"), (0, y))
        y += p.height + gap
    return out
