"""Pretrained backbones a bundle can name instead of exporting its own (contract v2: a backbone is known by its hash).

The reference visual backbone is ImageNet ResNet18 as ML.NET ships it: NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18
0.24.0 (MIT), fetched and hash-checked by infra/fetch-resnet18.sh, never committed. Its documented preprocessing is
ML.NET's: the image resized to 224 x 224, pixels extracted as planar RGB bytes (0..255, ExtractPixels' defaults), then
ResNetPreprocess.onnx (RGB -> BGR minus a per-pixel mean image), then ResNet18.onnx (input Input247 [1, 3, 224, 224],
batch fixed at 1) whose Pooling395_Output_0 [1, 512, 1, 1] are the pooled features. The branch's mean 0 and std 1/255
turn the engine's [0, 1] pixels back into those bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import manifest as mf

RESNET18_FILES = ("ResNet18.onnx", "ResNetPreprocess.onnx")
RESNET18_IMAGE = 224
RESNET18_FEATURES = 512
BYTE_STD = 1.0 / 255.0
SOURCE = ("NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0, tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx "
          "(ImageNet ResNet18, CNTK export) and ResNetPrepOnnx/ResNetPreprocess.onnx")


def copy_resnet18(source_dir: Path, staging: Path) -> None:
    for name in RESNET18_FILES:
        file = source_dir / name
        if not file.is_file():
            raise FileNotFoundError(f"{file} is not a file (infra/fetch-resnet18.sh fetches it)")
        shutil.copyfile(file, staging / name)
    licence = source_dir / "ResNet18.onnx.LICENSE"
    if licence.is_file():
        shutil.copyfile(licence, staging / licence.name)


def resnet18_backbone(staging: Path) -> dict:
    """The manifest's visual.backbone for ML.NET's ResNet18 in staging."""
    s = RESNET18_IMAGE
    return {
        "onnx": "ResNet18.onnx",
        "sha256": mf.sha256_file(staging / "ResNet18.onnx"),
        "opset": 8,
        "trained": True,
        "source": SOURCE,
        "licence": "MIT (.NET Foundation; ML.NET model package)",
        "fetch": "infra/fetch-resnet18.sh",
        "input": {"name": "Input247", "shape": [1, 3, s, s]},
        "output": {"name": "Pooling395_Output_0", "shape": [1, RESNET18_FEATURES, 1, 1]},
        "preprocess": {
            "onnx": "ResNetPreprocess.onnx",
            "sha256": mf.sha256_file(staging / "ResNetPreprocess.onnx"),
            "input": {"name": "OriginalInput", "shape": [1, 3, s, s]},
            "output": {"name": "PreprocessedInput", "shape": [1, 3, s, s]},
        },
    }
