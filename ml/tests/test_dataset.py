"""A labelled folder that cannot be used gets a clear error naming what is wrong and where."""

from __future__ import annotations

import shutil

import pytest

from conftest import REFERENCE_BUNDLE, make_clip, write_labels
from emi_ml import EMOTIONS, dataset, evaluate, train


@pytest.fixture()
def folder(tmp_path, labelled_folder):
    """A private copy of two good clips, for a test to break."""
    for name in ("00000", "00001"):
        shutil.copy(labelled_folder / "raw" / f"{name}.mp4", tmp_path / f"{name}.mp4")
    write_labels(tmp_path / "labels.csv", [("00000", [0.1] * 6), ("00001", [0.9] * 6)])
    return tmp_path


def _error(folder) -> str:
    with pytest.raises(dataset.DatasetError) as e:
        dataset.load(folder)
    return str(e.value)


def test_a_good_folder_loads_stems_and_relative_paths(folder):
    write_labels(folder / "labels.csv", [("00000", [0.1] * 6), ("00001.mp4", [0.9] * 6)])
    clips = dataset.load(folder)
    assert [c.name for c in clips] == ["00000", "00001.mp4"]
    assert all(c.has_audio and c.has_video for c in clips)


def test_missing_csv_columns_are_named(folder):
    header = ["Filename", *[e for e in EMOTIONS if e not in ("Joy", "Empathic Pain")]]
    (folder / "labels.csv").write_text(",".join(header) + "\n00000,0.1,0.2,0.3,0.4\n")
    message = _error(folder)
    assert "missing column(s)" in message and "'Empathic Pain'" in message and "'Joy'" in message


def test_a_csv_without_a_filename_column_is_named(folder):
    (folder / "labels.csv").write_text(",".join(EMOTIONS) + "\n" + ",".join(["0.5"] * 6) + "\n")
    assert "missing column(s) 'Filename'" in _error(folder)


def test_unreadable_media_is_named(folder):
    (folder / "00001.mp4").write_bytes(bytes(range(256)) * 40)  # random bytes named .mp4
    message = _error(folder)
    assert "00001.mp4: unreadable media" in message and "line 3" in message


def test_an_empty_media_file_is_unreadable(folder):
    (folder / "00000.mp4").write_bytes(b"")
    assert "00000.mp4: unreadable media" in _error(folder)


def test_labels_outside_0_1_and_non_numbers_are_named(folder):
    write_labels(folder / "labels.csv", [("00000", [0.1, 1.7, 0.2, 0.3, 0.4, 0.5]),
                                         ("00001", [0.1, 0.2, 0.3, 0.4, -0.01, 0.5])])
    message = _error(folder)
    assert "line 2 (00000): Amusement = 1.7000 is outside [0, 1]" in message
    assert "line 3 (00001): Excitement = -0.0100 is outside [0, 1]" in message
    text = (folder / "labels.csv").read_text().replace("1.7000", "high")
    (folder / "labels.csv").write_text(text)
    assert "Amusement = 'high' is not a number" in _error(folder)


def test_missing_and_duplicate_clips_are_named(folder):
    write_labels(folder / "labels.csv", [("00000", [0.1] * 6), ("00000", [0.2] * 6), ("00042", [0.3] * 6)])
    message = _error(folder)
    assert "'00000' is listed twice" in message and "media file '00042' not found" in message


def test_no_or_several_csvs(folder):
    (folder / "labels.csv").unlink()
    assert "no labels CSV" in _error(folder)
    write_labels(folder / "a.csv", [("00000", [0.1] * 6)])
    write_labels(folder / "b.csv", [("00001", [0.1] * 6)])
    assert "several CSV files" in _error(folder)
    assert [c.name for c in dataset.load(folder, folder / "b.csv")] == ["00001"]


def test_an_audio_only_file_is_a_clip_without_video(folder):
    make_clip(folder, "speech", 3, video=False)
    write_labels(folder / "labels.csv", [("speech", [0.1] * 6), ("00000", [0.9] * 6)])
    clip = dataset.load(folder)[0]
    assert clip.has_audio and not clip.has_video and clip.path.suffix == ".wav"


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_commands_exit_2_with_the_error_on_a_bad_folder(folder, tmp_path, capsys, command):
    (folder / "00001.mp4").write_bytes(b"\x00\x01garbage")
    if command == "train":
        code = train.main(["--data", str(folder), "--out", str(tmp_path / "out"), "--epochs", "1"])
    else:
        code = evaluate.main(["--bundle", str(REFERENCE_BUNDLE), "--data", str(folder)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "00001.mp4: unreadable media" in err
