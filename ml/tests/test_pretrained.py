"""ML.NET's ImageNet ResNet18 as the visual backbone (infra/fetch-resnet18.sh; skipped where it is not fetched)."""

from __future__ import annotations

import numpy as np
import onnx
import onnx.numpy_helper
import pytest

from conftest import REFERENCE_BUNDLE
from emi_ml import export, manifest as mf, ort
from emi_ml.bundle import Bundle

RESNET = mf.REPO_ROOT / ".local" / "models" / "resnet18"


@pytest.fixture(scope="module")
def resnet_bundle(tmp_path_factory):
    # `make test` fetches it (make models); a missing file is a failure, never a skip.
    assert (RESNET / "ResNet18.onnx").is_file(), f"{RESNET}/ResNet18.onnx is missing: run `make models` (infra/fetch-resnet18.sh)"
    out = tmp_path_factory.mktemp("resnet") / "bundle"
    assert export.main(["--preset", "tiny", "--name", "reference-resnet18", "--visual-backbone", str(RESNET),
                        "--face-detector", str(REFERENCE_BUNDLE / "face_detection_back_256x256.onnx"), "--out", str(out)]) == 0
    return out


def _face(size=224):
    from skimage import data, transform
    img = data.astronaut()[20:220, 150:330]  # the astronaut's face, public domain
    return (transform.resize(img, (size, size), anti_aliasing=True) * 255).astype(np.float32)


def test_the_bundle_names_resnet18_by_hash_with_its_preprocessing(resnet_bundle):
    m = mf.read(resnet_bundle)
    b = m["visual"]["backbone"]
    assert b["sha256"] == "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f"
    assert b["input"] == {"name": "Input247", "shape": [1, 3, 224, 224]}
    assert b["output"] == {"name": "Pooling395_Output_0", "shape": [1, 512, 1, 1]}
    assert b["preprocess"]["onnx"] == "ResNetPreprocess.onnx" and b["licence"].startswith("MIT")
    assert m["visual"]["head"]["inputs"]["features"]["shape"] == ["batch", "time", 512]
    assert m["visual"]["image_size"] == [224, 224] and m["visual"]["mean"] == [0.0, 0.0, 0.0]


def test_engine_normalisation_and_the_preprocess_graph_are_mlnets_documented_preprocessing(resnet_bundle):
    """[0, 1] pixels through mean 0 / std 1/255 are ML.NET's ExtractPixels bytes; ResNetPreprocess.onnx then gives BGR
    minus its mean image, which is what ResNet18.onnx is fed."""
    m = mf.read(resnet_bundle)["visual"]
    rgb = _face()
    x = ((rgb / 255.0 - np.array(m["mean"], np.float32)) / np.array(m["std"], np.float32)).transpose(2, 0, 1)
    mean_image = onnx.numpy_helper.to_array(onnx.load(str(resnet_bundle / "ResNetPreprocess.onnx")).graph.initializer[0])
    expected_input = x[::-1][None] - mean_image
    with ort.Session(resnet_bundle / "ResNet18.onnx") as net:
        want = net.run(["Pooling395_Output_0"], {"Input247": expected_input.astype(np.float32)})[0].reshape(-1)
    bundle = Bundle(resnet_bundle)
    got = bundle.visual_features(x[None, None].astype(np.float32)).reshape(-1)
    assert got.shape == (512,)
    assert np.abs(got - want).max() <= 1e-3 * max(1.0, np.abs(want).max())


def test_imagenet_features_tell_a_face_from_noise(resnet_bundle):
    bundle = Bundle(resnet_bundle)
    face = _face().transpose(2, 0, 1)
    noise = np.random.default_rng(0).integers(0, 256, face.shape).astype(np.float32)
    feats = bundle.visual_features(np.stack([face, face[:, :, ::-1], noise])[None]).reshape(3, -1)
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert cos(feats[0], feats[1]) > cos(feats[0], feats[2]) + 0.1
