"""The manifest schema: the reference manifest validates, broken ones are refused with a clear message."""

from __future__ import annotations

import copy
import re
import json
import shutil

import jsonschema
import pytest

from conftest import REFERENCE_BUNDLE
from emi_ml import manifest as mf


@pytest.fixture()
def reference():
    return json.loads((REFERENCE_BUNDLE / "manifest.json").read_text())


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(mf.schema())


def test_reference_manifest_validates_and_its_files_match(reference):
    mf.validate(reference)
    assert mf.read(REFERENCE_BUNDLE)["name"] == "reference-tiny"


def test_a_bundle_with_one_branch_validates(reference):
    del reference["visual"]
    reference["fusion"] = {"audio": 1.0}
    mf.validate(reference)


@pytest.mark.parametrize("mutate, where", [
    (lambda m: m.pop("trained"), "(top level)"),
    (lambda m: m.pop("audio") and m.pop("visual"), "(top level)"),
    (lambda m: m.__setitem__("emotions", list(reversed(m["emotions"]))), "emotions"),
    (lambda m: m.__setitem__("vad", ["arousal", "dominance", "valence"]), "vad"),
    (lambda m: m.__setitem__("unexpected", 1), "(top level)"),
    (lambda m: m["audio"]["backbone"].__setitem__("onnx", "../audio.onnx"), "audio/backbone/onnx"),
    (lambda m: m["audio"].__setitem__("onnx", "audio.onnx"), "audio"),
    (lambda m: m["visual"].pop("head"), "visual"),
    (lambda m: m["visual"]["head"]["inputs"]["features"].__setitem__("shape", ["batch", "time", 99]), "visual/head/inputs/features"),
    (lambda m: m["audio"].__setitem__("sample_rate", 8000), "audio/sample_rate"),
    (lambda m: m["visual"]["head"]["outputs"].pop("emi_segment"), "visual/head/outputs"),
    (lambda m: m["visual"].__setitem__("image_size", [64]), "visual/image_size"),
    (lambda m: m["fusion"].__setitem__("audio", -1), "fusion/audio"),
    (lambda m: m.__setitem__("version", "v1"), "version"),
    (lambda m: m["visual"].__setitem__("resize", "cover_center_crop"), "visual"),
    (lambda m: m["visual"]["face"].__setitem__("unexpected", 1), "visual/face"),
    (lambda m: m["visual"]["face"].__setitem__("suppression", "nms"), "visual/face/suppression"),
    (lambda m: m["visual"]["face"].pop("sha256"), "visual/face"),
])
def test_broken_manifests_are_refused_naming_the_field(reference, mutate, where):
    broken = copy.deepcopy(reference)
    mutate(broken)
    with pytest.raises(mf.ManifestError, match=re.escape(f"manifest.json {where}:")):
        mf.validate(broken)


def test_a_modified_onnx_file_is_detected(tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(REFERENCE_BUNDLE, bundle)
    with open(bundle / "audio-head.onnx", "ab") as f:
        f.write(b"\0")
    with pytest.raises(mf.ManifestError, match="sha256 differs"):
        mf.read(bundle)
    (bundle / "audio-head.onnx").unlink()
    with pytest.raises(mf.ManifestError, match="not in the bundle"):
        mf.read(bundle)


def test_a_v1_manifest_is_refused_saying_how_to_re_export(reference):
    v1 = copy.deepcopy(reference)
    v1["schema_version"] = 1
    with pytest.raises(mf.ManifestError, match=r"re-export the bundle as v2 .*python3 -m emi_ml.export"):
        mf.validate(v1)


def test_a_folder_without_manifest_is_not_a_bundle(tmp_path):
    with pytest.raises(mf.ManifestError, match="no manifest.json"):
        mf.read(tmp_path)


SPEECH = {
    "file": "silero_vad_v5.onnx",
    "sha256": "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f",
    "source": "npm @ricky0123/vad-web 0.0.31, package/dist/silero_vad_v5.onnx (Silero VAD v5)",
    "licence": "MIT (Silero Team; model); ISC (npm package)",
}


@pytest.mark.parametrize("mutate, where", [
    (lambda s: s.__setitem__("mask", "silence"), "audio/speech/mask"),
    (lambda s: s.__setitem__("threshold", 1.0), "audio/speech/threshold"),
    (lambda s: s.pop("licence"), "audio/speech"),
    (lambda s: s.__setitem__("window", 1), "audio/speech"),
])
def test_a_broken_speech_section_is_refused_naming_the_field(reference, mutate, where):
    speech = dict(SPEECH)
    mutate(speech)
    reference["audio"]["speech"] = speech
    with pytest.raises(mf.ManifestError, match=re.escape(f"manifest.json {where}:")):
        mf.validate(reference)


def test_a_speech_model_that_is_missing_or_modified_is_refused_naming_the_file(tmp_path, reference):
    """infra/fetch-speech-model.sh (make models) puts the file into the reference bundle."""
    bundle = tmp_path / "b"
    shutil.copytree(REFERENCE_BUNDLE, bundle)
    reference["audio"]["speech"] = dict(SPEECH, mask="keep", threshold=0.5)
    (bundle / "manifest.json").write_text(json.dumps(reference))
    assert mf.read(bundle)["audio"]["speech"]["mask"] == "keep"
    with open(bundle / "silero_vad_v5.onnx", "ab") as f:
        f.write(b"\0")
    with pytest.raises(mf.ManifestError, match="silero_vad_v5.onnx: sha256 differs"):
        mf.read(bundle)
    (bundle / "silero_vad_v5.onnx").unlink()
    with pytest.raises(mf.ManifestError, match="names silero_vad_v5.onnx, which is not in the bundle"):
        mf.read(bundle)
