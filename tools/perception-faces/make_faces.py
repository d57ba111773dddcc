"""Test faces for the facial perception tests (tests/EmiPlatform.Inference.Tests/FacePerceptionTests.cs).

    /usr/bin/python3 tools/perception-faces/make_faces.py OUT_DIR [--png]

Writes 512 x 512 rgb24 frames (raw bytes, row-major; the face stage's letterboxed frame size) made from Debian
python3-skimage's public-domain astronaut photo (NASA):

  astronaut.rgb  the photo as it is
  smile.rgb      the mouth corners moved up and outwards (piecewise-affine warp)
  jaw.rgb        the lower lip, chin and jaw line moved down, the upper face left where it was
  roll15.rgb     the photo turned 15 degrees counter-clockwise on screen about the face
  faceless.rgb   skimage's coffee photo (no face)

The control points are FaceMesh's landmarks on the astronaut (tests/fixtures/perception's facemesh-astronaut
output, mapped from its 180-pixel crop at (138, 25) to the photo): mouth corners 61/291 near (201, 140) and
(246, 142), inner lips 13/14 near (223, 143) and (223, 151), chin 152 near (221, 179), outer eye corners 33/263
near (194, 101) and (259, 104). Everything away from the moved points is pinned, so the brows and eyes stay put.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
from skimage import data
from skimage.transform import PiecewiseAffineTransform, rotate, warp

# (x, y) photo pixels of points pinned in every warp: eyes, brows, nose, face outline above the mouth.
PINNED = [(194, 101), (259, 104), (215, 101), (238, 102), (190, 82), (215, 80), (240, 80), (265, 84),
          (224, 132), (224, 115), (175, 120), (272, 122), (170, 95), (278, 98)]
FACE_CENTRE = (224, 130)


def _frame(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _warp(image: np.ndarray, moves: list[tuple[tuple[float, float], tuple[float, float]]]) -> np.ndarray:
    """Moves each (from, to) point; PINNED points, a ring round the face and the photo's border stay."""
    h, w = image.shape[:2]
    ring = [(FACE_CENTRE[0] + 110 * np.cos(a), FACE_CENTRE[1] + 110 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 24, endpoint=False)]
    border = [(x, y) for x in np.linspace(0, w - 1, 5) for y in (0, h - 1)] + [(x, y) for y in np.linspace(0, h - 1, 5)[1:-1] for x in (0, w - 1)]
    fixed = PINNED + ring + border
    src = np.array([m[0] for m in moves] + fixed, dtype=float)
    dst = np.array([m[1] for m in moves] + fixed, dtype=float)
    tform = PiecewiseAffineTransform()
    if not tform.estimate(dst, src):  # warp() maps output points to input points
        raise RuntimeError("the piecewise-affine warp could not be estimated")
    return _frame(warp(image.astype(float), tform, preserve_range=True, order=1))


def faces() -> dict[str, np.ndarray]:
    astronaut = data.astronaut()
    smile = _warp(astronaut, [((201, 140), (195, 133)), ((246, 142), (252, 135)),
                              ((223, 143), (223, 143)), ((223, 151), (223, 151)), ((221, 179), (221, 179)),
                              ((205, 160), (205, 160)), ((242, 161), (242, 161))])
    jaw = _warp(astronaut, [((223, 143), (223, 143)), ((201, 140), (201, 143)), ((246, 142), (246, 145)),
                            ((223, 151), (223, 163)), ((223, 158), (223, 172)), ((221, 179), (221, 196)),
                            ((190, 165), (190, 176)), ((255, 166), (255, 177)), ((205, 160), (205, 172)),
                            ((242, 161), (242, 173))])
    roll = _frame(rotate(astronaut.astype(float), 15, center=FACE_CENTRE, order=1, preserve_range=True))
    coffee = data.coffee()  # 400 x 600: centre crop to a square, scaled to 512
    side = min(coffee.shape[:2])
    top, left = (coffee.shape[0] - side) // 2, (coffee.shape[1] - side) // 2
    from skimage.transform import resize
    faceless = _frame(resize(coffee[top:top + side, left:left + side], (512, 512), order=1, preserve_range=True))
    return {"astronaut": astronaut, "smile": smile, "jaw": jaw, "roll15": roll, "faceless": faceless}


def main(argv: list[str]) -> int:
    warnings.simplefilter("ignore", DeprecationWarning)  # scipy's Delaunay.vertices, inside skimage
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, image in faces().items():
        assert image.shape == (512, 512, 3) and image.dtype == np.uint8, (name, image.shape, image.dtype)
        (out / f"{name}.rgb").write_bytes(np.ascontiguousarray(image).tobytes())
        if "--png" in argv:
            from skimage.io import imsave
            imsave(out / f"{name}.png", image, check_contrast=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
