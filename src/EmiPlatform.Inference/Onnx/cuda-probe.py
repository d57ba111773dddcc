"""Writes cuda-probe.onnx: the graph the engine runs once per CUDA device at start (OnnxEnvironment.ProbeCuda).

A convolution (cuDNN) and a linear layer (cuBLAS) on a fixed 1x4x8 input: enough to make ONNX Runtime load
every library the CUDA provider needs and touch the device, in a few hundred bytes. Regenerate with
`/usr/bin/python3 src/EmiPlatform.Inference/Onnx/cuda-probe.py` (Debian's PyTorch); the output is committed.
"""

from pathlib import Path

import torch

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Conv1d(4, 4, 3, padding=1), torch.nn.Linear(8, 8)).eval()
out = Path(__file__).with_name("cuda-probe.onnx")
torch.onnx.export(model, (torch.zeros(1, 4, 8),), str(out), input_names=["x"], output_names=["y"], opset_version=14)
print(f"wrote {out} ({out.stat().st_size} bytes)")
