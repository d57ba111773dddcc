"""The tfjs -> ONNX converter, on a hand-written graph model with every op it supports, against numpy's
TensorFlow semantics (NHWC, SAME padding with the odd pixel after), run on ONNX Runtime."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest

from emi_ml import ort, tfjs_onnx
from emi_ml.tfjs_onnx import ConversionError

from conftest import REFERENCE_BUNDLE, REPO


def _s(text: str) -> dict:
    return {"s": base64.b64encode(text.encode()).decode()}


def _ints(*values: int) -> dict:
    return {"list": {"i": [str(v) for v in values]}}


def _fused(*ops: str) -> dict:
    return {"list": {"s": [base64.b64encode(o.encode()).decode() for o in ops]}}


FLOAT = {"type": "DT_FLOAT"}


def _conv_attrs(strides: int, padding: str, fused: tuple[str, ...] | None = None) -> dict:
    attr = {"T": FLOAT, "data_format": _s("NHWC"), "strides": _ints(1, strides, strides, 1), "padding": _s(padding),
            "dilations": _ints(1, 1, 1, 1), "explicit_paddings": {"list": {}}}
    if fused is not None:
        attr |= {"fused_ops": _fused(*fused), "num_args": {"i": str(2 if "Prelu" in fused else 1)},
                 "epsilon": {"f": 0}, "use_cudnn_on_gpu": {"b": True}}
    return attr


class _Model:
    """Builds a model.json + weights.bin the way the tfjs converter lays them out."""

    def __init__(self) -> None:
        self.nodes: list[dict] = []
        self.specs: list[dict] = []
        self.blobs: list[bytes] = []
        self.values: dict[str, np.ndarray] = {}  # what tfjs decodes each weight to

    def const(self, name: str, value: np.ndarray, quantise: str | None = None) -> str:
        value = np.asarray(value)
        dtype = "int32" if value.dtype.kind == "i" else "float32"
        spec = {"name": name, "shape": list(value.shape), "dtype": dtype}
        if quantise == "float16":
            stored = value.astype("<f2")
            decoded = stored.astype(np.float32)
            spec["quantization"] = {"dtype": "float16", "original_dtype": "float32"}
        elif quantise == "uint8":
            lo, hi = float(value.min()), float(value.max())
            scale = (hi - lo) / 255
            stored = np.rint((value - lo) / scale).astype(np.uint8)
            decoded = stored.astype(np.float32) * np.float32(scale) + np.float32(lo)
            spec["quantization"] = {"dtype": "uint8", "scale": scale, "min": lo, "original_dtype": "float32"}
        else:
            stored = value.astype("<i4" if dtype == "int32" else "<f4")
            decoded = stored.astype(np.int32 if dtype == "int32" else np.float32)
        self.specs.append(spec)
        self.blobs.append(stored.tobytes())
        self.values[name] = decoded
        self.nodes.append({"name": name, "op": "Const", "attr": {"dtype": {"type": "DT_" + dtype.upper()}, "value": {}}})
        return name

    def op(self, name: str, op: str, inputs: list[str], attr: dict | None = None) -> str:
        self.nodes.append({"name": name, "op": op, "input": inputs, "attr": attr or {"T": FLOAT}})
        return name

    def write(self, folder: Path, signature: dict | None = None) -> Path:
        # tfjs does not order nodes topologically; neither does this file (the consts go last).
        nodes = [n for n in self.nodes if n["op"] != "Const"] + [n for n in self.nodes if n["op"] == "Const"]
        model = {"format": "graph-model", "generatedBy": "test", "convertedBy": "test",
                 "modelTopology": {"node": nodes, "library": {}, "versions": {}},
                 "weightsManifest": [{"paths": ["weights.bin"], "weights": self.specs}]}
        if signature:
            model["signature"] = signature
        (folder / "weights.bin").write_bytes(b"".join(self.blobs))
        path = folder / "model.json"
        path.write_text(json.dumps(model))
        return path


# ---- numpy reference: TensorFlow's NHWC semantics


def _same(size: int, k: int, s: int) -> tuple[int, int]:
    total = max((math.ceil(size / s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _patches(x: np.ndarray, kh: int, kw: int, s: int, padding: str, fill: float = 0.0) -> np.ndarray:
    """[N, OH, OW, kh, kw, C] windows of x after TF padding."""
    n, h, w, c = x.shape
    (t, b), (l, r) = ((_same(h, kh, s), _same(w, kw, s)) if padding == "SAME" else ((0, 0), (0, 0)))
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=fill)
    oh, ow = (xp.shape[1] - kh) // s + 1, (xp.shape[2] - kw) // s + 1
    out = np.empty((n, oh, ow, kh, kw, c), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, :, i, j, :] = xp[:, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s, :]
    return out


def np_conv(x, w, s, padding):
    return np.einsum("nhwijc,ijco->nhwo", _patches(x, w.shape[0], w.shape[1], s, padding), w)


def np_depthwise(x, w, s, padding):
    out = np.einsum("nhwijc,ijcm->nhwcm", _patches(x, w.shape[0], w.shape[1], s, padding), w)
    return out.reshape(*out.shape[:3], -1)  # channel c*M + m


def np_maxpool(x, k, s, padding):
    return _patches(x, k, k, s, padding, fill=-np.inf).max(axis=(3, 4))


def np_prelu(x, a):
    return np.where(x > 0, x, a * x)


def _synthetic(folder: Path, rng: np.random.Generator):
    m = _Model()
    f = lambda *shape: rng.normal(0, 0.5, size=shape).astype(np.float32)  # noqa: E731
    m.nodes.append({"name": "image", "op": "Placeholder",
                    "attr": {"dtype": FLOAT, "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "9"}, {"size": "9"}, {"size": "2"}]}}}})
    # stride 2 SAME on an odd size: TF pads 1 after, 0 before
    c1 = m.op("c1", "_FusedConv2D", ["image", m.const("w1", f(3, 3, 2, 4), "float16"), m.const("b1", f(4)),
                                     m.const("a1", f(1, 1, 4), "uint8")], _conv_attrs(2, "SAME", ("BiasAdd", "Prelu")))
    d1 = m.op("d1", "DepthwiseConv2dNative", [c1, m.const("wd", f(3, 3, 4, 2))], _conv_attrs(1, "SAME"))
    c2 = m.op("c2", "_FusedConv2D", [d1, m.const("w2", f(1, 1, 8, 4)), m.const("b2", f(4))],
              _conv_attrs(1, "VALID", ("BiasAdd", "Relu")))
    add = m.op("add", "AddV2", [c2, c1])
    pr = m.op("pr", "Prelu", [add, m.const("a2", f(1, 1, 4))])
    pad = m.op("pad", "Pad", [pr, m.const("paddings", np.array([[0, 0], [1, 0], [0, 1], [0, 2]], dtype=np.int32))],
               {"T": FLOAT, "Tpaddings": {"type": "DT_INT32"}})
    pool_attr = lambda k, s, p: {"T": FLOAT, "data_format": _s("NHWC"), "ksize": _ints(1, k, k, 1),  # noqa: E731
                                 "strides": _ints(1, s, s, 1), "padding": _s(p)}
    mp_valid = m.op("mp_valid", "MaxPool", [pad], pool_attr(2, 2, "VALID"))
    mp_same = m.op("mp_same", "MaxPool", [pad], pool_attr(3, 2, "SAME"))
    c3 = m.op("c3", "_FusedConv2D", [mp_same, m.const("w3", f(3, 3, 6, 5)), m.const("b3", f(5))],
              _conv_attrs(3, "VALID", ("BiasAdd",)))
    relu = m.op("relu", "Relu", [mp_same])
    mean = m.op("mean", "Mean", [relu, m.const("axes", np.array([1, 2], dtype=np.int32))],
                {"T": FLOAT, "Tidx": {"type": "DT_INT32"}, "keep_dims": {"b": False}})
    m.op("probs", "Softmax", [mean])
    sig = m.op("sig", "Sigmoid", [mp_valid])
    flat = m.op("flat", "Reshape", [sig, m.const("shape", np.array([-1, 54], dtype=np.int32))],
                {"T": FLOAT, "Tshape": {"type": "DT_INT32"}})
    m.op("Identity", "Identity", [flat])
    m.op("Identity_1", "Identity", ["probs"])
    m.op("Identity_2", "Identity", [c3])
    signature = {"inputs": {"image:0": {"name": "image:0"}},
                 "outputs": {"flat": {"name": "Identity:0"}, "probs": {"name": "Identity_1:0"},
                             "head": {"name": "Identity_2:0"}}}
    path = m.write(folder, signature)

    def reference(x: np.ndarray) -> dict[str, np.ndarray]:
        v = m.values
        y1 = np_prelu(np_conv(x, v["w1"], 2, "SAME") + v["b1"], v["a1"])
        y2 = np.maximum(np_conv(np_depthwise(y1, v["wd"], 1, "SAME"), v["w2"], 1, "VALID") + v["b2"], 0)
        p = np.pad(np_prelu(y2 + y1, v["a2"]), v["paddings"])
        valid, same = np_maxpool(p, 2, 2, "VALID"), np_maxpool(p, 3, 2, "SAME")
        logits = np.maximum(same, 0).mean(axis=(1, 2))
        probs = np.exp(logits - logits.max(1, keepdims=True))
        return {"flat": (1 / (1 + np.exp(-valid))).reshape(-1, 54),
                "probs": probs / probs.sum(1, keepdims=True),
                "head": np_conv(same, v["w3"], 3, "VALID") + v["b3"]}

    return path, reference


def test_every_supported_op_matches_tensorflow_semantics_on_onnx_runtime(tmp_path):
    rng = np.random.default_rng(5)
    path, reference = _synthetic(tmp_path, rng)
    model = tfjs_onnx.convert(path)
    tfjs_onnx.save(model, tmp_path / "model.onnx")
    assert [i.name for i in model.graph.input] == ["image"]
    assert [o.name for o in model.graph.output] == ["flat", "probs", "head"]  # the signature's order
    assert {n.op_type for n in model.graph.node} >= {"Conv", "PRelu", "Relu", "Add", "Pad", "MaxPool", "ReduceMean",
                                                     "Softmax", "Sigmoid", "Reshape", "Transpose"}

    x = rng.normal(size=(3, 9, 9, 2)).astype(np.float32)
    want = reference(x.astype(np.float64))
    with ort.Session(tmp_path / "model.onnx") as session:
        got = dict(zip(want, session.run(list(want), {"image": x})))
    assert got["flat"].shape == (3, 54) and got["probs"].shape == (3, 6) and got["head"].shape == (3, 1, 1, 5)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-5, err_msg=name)


def test_conversion_is_deterministic(tmp_path):
    path, _ = _synthetic(tmp_path, np.random.default_rng(6))
    first = tfjs_onnx.convert(path).SerializeToString(deterministic=True)
    assert tfjs_onnx.convert(path).SerializeToString(deterministic=True) == first


def _one_op_model(folder: Path, op: str, attr: dict, extra_inputs: int = 1) -> Path:
    m = _Model()
    m.nodes.append({"name": "x", "op": "Placeholder",
                    "attr": {"dtype": FLOAT, "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "4"}, {"size": "4"}, {"size": "1"}]}}}})
    inputs = ["x", m.const("w", np.ones((1, 1, 1, 1), dtype=np.float32))]
    inputs += [m.const(f"arg{i}", np.ones(1, dtype=np.float32)) for i in range(extra_inputs)]
    m.op("y", op, inputs, attr)
    return m.write(folder)


@pytest.mark.parametrize("op, attr, message", [
    ("Conv2DBackpropInput", {"T": FLOAT}, "unsupported TensorFlow.js ops: Conv2DBackpropInput"),
    ("_FusedConv2D", _conv_attrs(1, "SAME", ("BiasAdd", "Relu6")), "fused_ops ['BiasAdd', 'Relu6'] are not supported"),
    ("_FusedConv2D", _conv_attrs(1, "EXPLICIT", ("BiasAdd",)), "padding EXPLICIT is not supported"),
    ("_FusedConv2D", _conv_attrs(1, "SAME", ("BiasAdd",)) | {"data_format": _s("NCHW")}, "data_format NCHW is not supported"),
    ("_FusedConv2D", _conv_attrs(1, "SAME", ("BiasAdd",)) | {"dilations": _ints(1, 2, 2, 1)}, "dilations [1, 2, 2, 1]"),
])
def test_anything_else_is_refused_by_name(tmp_path, op, attr, message):
    with pytest.raises(ConversionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        tfjs_onnx.convert(_one_op_model(tmp_path, op, attr))


def test_the_cli_names_the_problem_and_exits_nonzero(tmp_path, capsys):
    path = _one_op_model(tmp_path, "Conv2DBackpropInput", {"T": FLOAT})
    assert tfjs_onnx.main([str(path), str(tmp_path / "out.onnx")]) == 2
    assert "Conv2DBackpropInput" in capsys.readouterr().err
    assert not (tmp_path / "out.onnx").exists()


# ---- the shipped conversions (infra/fetch-perception-models.sh) against TensorFlow.js's own outputs

PERCEPTION_FIXTURES = REPO / "tests" / "fixtures" / "perception"


def test_the_fetched_perception_models_reproduce_tensorflow_js_on_onnx_runtime():
    from emi_ml import perception_fixtures

    for name in ("facemesh.onnx", "emotion.onnx"):
        if not (REFERENCE_BUNDLE / name).is_file():
            pytest.fail(f"{REFERENCE_BUNDLE / name} is missing: run infra/fetch-perception-models.sh (make build does)",
                        pytrace=False)
    index = json.loads((PERCEPTION_FIXTURES / "index.json").read_text())
    diffs = perception_fixtures.onnx_runtime_diffs(PERCEPTION_FIXTURES, REFERENCE_BUNDLE)
    for case in index["cases"]:
        for output, spec in case["outputs"].items():
            assert diffs[case["name"]][output] <= spec["tolerance"] <= 1e-3, (case["name"], output)
