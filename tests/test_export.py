"""core.export: GIFs and PNGs that open, with the frames, sizes and names the pages promise."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.export import cloud_frames, gif_bytes, png_bytes, side_by_side
from ui.components.export import slug


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_gif_has_every_frame_loops_and_holds_the_last():
    frames = [np.full((10, 12), 20 * k, dtype=np.uint8) for k in range(7)]
    gif = _open(gif_bytes(frames, duration_ms=90, last_ms=900, scale=3))
    assert gif.format == "GIF" and gif.n_frames == 7 and gif.size == (36, 30) and gif.info["loop"] == 0
    gif.seek(6)
    assert gif.info["duration"] == 900
    with pytest.raises(ValueError):
        gif_bytes([])


def test_a_png_keeps_its_pixels():
    image = np.random.default_rng(0).integers(0, 255, (5, 4, 3), dtype=np.uint8)
    out = _open(png_bytes(image, scale=2))
    assert out.format == "PNG" and out.size == (8, 10)
    assert (np.asarray(out)[::2, ::2] == image).all()


def test_cloud_frames_draw_each_point_where_it_is():
    clouds = np.zeros((3, 2, 2))
    clouds[:, 0] = [[-1, -1], [0, 0], [1, 1]]  # the first point moves along the diagonal
    clouds[:, 1] = [0.5, -0.5]
    frames = cloud_frames(clouds, limit=2.0, size=100, colours=np.array([[255, 0, 0], [0, 0, 255]]), titles=list("abc"))
    assert len(frames) == 3 and frames[0].size == (100, 130)
    px = np.asarray(frames[2])
    assert tuple(px[30 + 25, 75]) == (255, 0, 0)  # (1, 1) -> x = 75, y = 25 below the title band
    assert (px[30 + 61 : 30 + 64, 61:64] == (0, 0, 255)).all(-1).any()  # (0.5, -0.5) -> x = 62.5, 62.5 below the top
    with pytest.raises(ValueError):
        cloud_frames(np.zeros((3, 2)), limit=1)
    both = side_by_side(frames, frames, gap=4)
    assert len(both) == 3 and both[0].size == (204, 130)
    with pytest.raises(ValueError):
        side_by_side(frames, frames[:2])


def test_file_names_say_what_they_show():
    assert slug("reverse-ddpm", "50steps", "seed3", "any") == "reverse-ddpm-50steps-seed3-any"
    assert slug("flow-paths", "gaussian", "moons", "rk4", None, "4steps") == "flow-paths-gaussian-moons-rk4-4steps"
    assert slug("x/../y", "a b") == "x-..-y-a-b"


def test_the_autoencoder_page_offers_its_generated_grids_as_png():
    from page_support import open_page

    at = open_page("views/autoencoder.py")
    keys = {b.key for b in at.get("download_button")}
    assert {"ae_png", "vae_png", "ae_restore_png", "vae_map_png", "ae_photos_png"} <= keys


def test_stacked_rows_keep_their_pixels_one_under_the_other():
    from PIL import Image

    from core.export import stacked

    a, b = Image.new("RGB", (10, 4), (255, 0, 0)), Image.new("L", (6, 3), 0)
    out = stacked(a, b, gap=2)
    assert out.size == (10, 9)
    assert out.getpixel((0, 0)) == (255, 0, 0) and out.getpixel((0, 5)) == (255, 255, 255)
    assert out.getpixel((0, 6)) == (0, 0, 0) and out.getpixel((8, 7)) == (255, 255, 255)
