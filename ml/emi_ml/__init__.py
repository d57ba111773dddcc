"""EMI model tooling: the two source papers' architectures, ONNX export, training and evaluation.

Everything here runs on Debian's PyTorch (python3-torch, -torchaudio, -torchvision, -onnx); nothing
comes from PyPI. The C# platform never imports this package: the seam between the two is the model
bundle (manifest.json + ONNX files) described in docs/model-bundle.md.
"""

# The order is part of the bundle contract: every output's last axis follows it.
EMOTIONS = ("Admiration", "Amusement", "Determination", "Empathic Pain", "Excitement", "Joy")
