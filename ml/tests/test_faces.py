"""The face stage in ml/: BlazeFace on a known photo, a track on generated video, and training's crops."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

from emi_ml import faces
from emi_ml import manifest as mf
from emi_ml.bundle import Bundle
from emi_ml.dataset import Clip

from conftest import ASTRONAUT, REFERENCE_BUNDLE


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def visual():
    v = mf.read(REFERENCE_BUNDLE)["visual"]
    assert "face" in v, "the reference bundle has a face stage"
    return v


@pytest.fixture(scope="module")
def videos(tmp_path_factory, visual):
    assert ASTRONAUT.is_file(), "install Debian python3-skimage (infra/install-deps.sh does)"
    d = tmp_path_factory.mktemp("faces")
    _ffmpeg("-loop", "1", "-i", str(ASTRONAUT), "-t", "1", "-r", "10", "-c:v", "libx264", "-crf", "10",
            "-pix_fmt", "yuv444p", str(d / "still.mp4"))
    # The photo at 240 px moving right over testsrc2 (640x360), gone from 2 s to 4 s, back until 6 s; with a tone.
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-loop", "1", "-i", str(ASTRONAUT),
            "-f", "lavfi", "-i", "sine=frequency=250:sample_rate=16000", "-filter_complex",
            "[1:v]scale=240:240[f];[0:v][f]overlay=x='40+40*t':y=60:enable='lt(t,2)+gte(t,4)'[v]",
            "-map", "[v]", "-map", "2:a", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12",
            "-pix_fmt", "yuv420p", "-c:a", "aac", str(d / "moves.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "3", "-c:v", "libx264", "-preset", "ultrafast",
            "-pix_fmt", "yuv420p", str(d / "noface.mp4"))
    return d


def test_detector_finds_the_astronauts_face_where_it_was_checked_by_hand(videos, visual):
    det = faces.Detector(REFERENCE_BUNDLE / visual["face"]["detector"], visual["face"])
    frame = next(faces.decode_letterboxed(videos / "still.mp4", 10, visual["face"]["frame_size"]))
    boxes = det.detect(frame)
    det.close()
    assert len(boxes) == 1
    cx, cy, w, h, score = boxes[0]
    # By eye on the 512 px photo: the face spans about x 175-275, y 75-180.
    assert abs(cx - 225 / 512) < 0.03 and abs(cy - 127 / 512) < 0.03
    assert abs(w - 100 / 512) < 0.04 and abs(h - 105 / 512) < 0.04
    assert score > 0.8


def test_track_follows_the_face_loses_it_while_it_is_away_and_takes_it_again(videos, visual):
    crops, boxes, aus = faces.face_crops(videos / "moves.mp4", visual, REFERENCE_BUNDLE)
    rate = visual["frame_rate"]
    assert crops.shape == (len(boxes), 3, *visual["image_size"])
    for i, box in enumerate(boxes):
        t = i / rate
        if min(abs(t - 2), abs(t - 4)) < 1.5 / rate:
            continue  # the fps filter may take the frame next to a change
        if 2 <= t < 4:
            assert box is None, f"frame {i}: a face tracked while none is in the picture"
            assert not crops[i].any()
        else:
            assert box is not None, f"frame {i}: the face was lost"
            x = (40 + 40 * t + 0.44 * 240) * 0.8 / 512
            y = (112 + (60 + 0.248 * 240) * 0.8) / 512  # letterboxed: scale 0.8, 112 px of black above
            assert abs(box[0] - x) < 0.03 and abs(box[1] - y) < 0.03


def test_bundle_scores_the_face_crop_and_gives_no_visual_prediction_without_a_face(videos):
    b = Bundle(REFERENCE_BUNDLE)
    try:
        with_face = b.predict(Clip(name="moves", path=videos / "moves.mp4", has_audio=True, has_video=True, labels=None))
        assert with_face["visual"].shape == (6,)
        without = b.predict(Clip(name="noface", path=videos / "noface.mp4", has_audio=False, has_video=True, labels=None))
        assert "visual" not in without and "fused" not in without
    finally:
        b.close()


def test_a_manifest_naming_a_missing_or_modified_detector_is_refused(tmp_path):
    import shutil
    bundle = tmp_path / "b"
    shutil.copytree(REFERENCE_BUNDLE, bundle)
    detector = bundle / faces.DETECTOR_FILE
    with open(detector, "ab") as f:
        f.write(b"\0")
    with pytest.raises(mf.ManifestError, match="sha256 differs"):
        mf.read(bundle)
    detector.unlink()
    with pytest.raises(mf.ManifestError, match="fetch-face-detector"):
        mf.read(bundle)


def test_an_action_unit_model_gives_each_tracked_face_its_values_and_zeros_elsewhere(videos, tmp_path):
    from emi_ml import au_model
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for f in REFERENCE_BUNDLE.iterdir():
        (bundle / f.name).write_bytes(f.read_bytes())
    au_model.add_stand_in(bundle)
    visual = mf.read(bundle)["visual"]
    crops, boxes, aus = faces.face_crops(videos / "moves.mp4", visual, bundle)
    assert aus.shape == (len(boxes), visual["action_units"])
    seen = np.array([b is not None for b in boxes])
    assert seen.any() and not seen.all()
    assert not aus[~seen].any()
    assert (aus[seen] > 0).all() and (aus[seen] < visual["action_unit_max"]).all()
    # Without the model, the same crops and zeros.
    plain_crops, _, plain_aus = faces.face_crops(videos / "moves.mp4", mf.read(REFERENCE_BUNDLE)["visual"], REFERENCE_BUNDLE)
    assert np.array_equal(plain_crops, crops) and not plain_aus.any()
    # And they reach the visual branch: the clip's prediction moves.
    with_aus, without = Bundle(bundle), Bundle(REFERENCE_BUNDLE)
    try:
        assert np.abs(with_aus.visual_face_clip(videos / "moves.mp4") - without.visual_face_clip(videos / "moves.mp4")).max() > 1e-3
    finally:
        with_aus.close()
        without.close()


def test_an_action_unit_model_whose_output_does_not_fit_the_au_input_is_refused(tmp_path):
    from emi_ml import au_model
    for f in REFERENCE_BUNDLE.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    au_model.add_stand_in(tmp_path, action_units=16)
    with pytest.raises(mf.ManifestError, match="gives 16 action units per face crop, but the visual branch's AU input"):
        mf.read(tmp_path)
