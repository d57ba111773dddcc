"""Convert a TensorFlow.js graph model (model.json + weight shards) to ONNX.

    /usr/bin/python3 -m emi_ml.tfjs_onnx MODEL_JSON OUT.onnx

Written for the two perception models infra/fetch-perception-models.sh ships (MediaPipe FaceMesh and
the 7-class expression CNN of npm @vladmandic/human): it converts exactly the ops and attributes
those graphs use and refuses anything else by name, so a graph it does not understand is an error
at build time, never a silently different network. Supported:

  Placeholder (NHWC float32), Const, Identity, _FusedConv2D (fused_ops [BiasAdd], [BiasAdd, Relu],
  [BiasAdd, Prelu]), DepthwiseConv2dNative, MaxPool, Pad (constant zero), AddV2, Prelu, Relu,
  Sigmoid, Softmax, Reshape, Mean; data_format NHWC, padding SAME or VALID, dilations 1.
  Weights: float32 and int32, plain or quantised (float16, uint8, uint16 with scale and min).

Layout: the ONNX model keeps the TensorFlow.js interface, so its public input is NHWC exactly as
the graph's Placeholder says ([N,192,192,3] for FaceMesh) and one Transpose inside turns it into
the NCHW ONNX convolutions want; a 4-D tensor goes back to NHWC before anything that depends on the
memory order (Reshape, a Mean over other than the spatial axes, a graph output). Inputs and outputs
are named after the model's signature keys (`input_1`; `output_mesh`, `output_faceflag`,
`output_contours`) or, without a signature, after the tensor (`Identity`), with ':0' dropped; the
outputs keep the signature's order.

Output is deterministic: the same model.json and weights give the same bytes (infra pins the hash).
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 7  # the IR that opset 13 came with: written explicitly so the file does not depend on the onnx version
PRODUCER = "emi_ml.tfjs_onnx"

_NHWC_TO_NCHW = [0, 3, 1, 2]
_NCHW_TO_NHWC = [0, 2, 3, 1]
_FUSED_OPS = {("BiasAdd",), ("BiasAdd", "Relu"), ("BiasAdd", "Prelu")}
_WEIGHT_DTYPES = {"float32": np.float32, "int32": np.int32}
_QUANTISED = {"float16": np.float16, "uint8": np.uint8, "uint16": np.uint16}


class ConversionError(ValueError):
    """The graph uses something this converter does not translate (or translates differently)."""


# ---------------------------------------------------------------- weights


def read_weights(model_json: dict, folder: Path) -> dict[str, np.ndarray]:
    """The weight manifest's tensors by name, dequantised to their original dtype as tfjs does."""
    out: dict[str, np.ndarray] = {}
    for group in model_json.get("weightsManifest", []):
        data = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            name, shape, dtype = spec["name"], [int(d) for d in spec["shape"]], spec["dtype"]
            if dtype not in _WEIGHT_DTYPES:
                raise ConversionError(f"weight {name}: dtype {dtype} is not supported (float32, int32)")
            count = int(np.prod(shape, dtype=np.int64))
            q = spec.get("quantization")
            if q is None:
                stored = np.dtype(_WEIGHT_DTYPES[dtype])
            elif q.get("dtype") in _QUANTISED:
                stored = np.dtype(_QUANTISED[q["dtype"]])
            else:
                raise ConversionError(f"weight {name}: quantisation {q!r} is not supported")
            size = count * stored.itemsize
            if offset + size > len(data):
                raise ConversionError(f"weight {name}: the weight files end before it does")
            raw = np.frombuffer(data, dtype=stored.newbyteorder("<"), count=count, offset=offset)
            offset += size
            if q is None:
                value = raw.astype(_WEIGHT_DTYPES[dtype])
            elif q["dtype"] == "float16":
                value = raw.astype(np.float32)  # exact: every float16 is a float32
            else:  # affine uint8/uint16: tfjs computes q * scale + min in float32
                value = raw.astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])
            out[name] = value.astype(_WEIGHT_DTYPES[dtype]).reshape(shape)
        if offset != len(data):
            raise ConversionError(f"weight files {group['paths']}: {len(data) - offset} bytes left over")
    return out


# ---------------------------------------------------------------- graph


@dataclass
class _Tensor:
    """A converted tensor: its ONNX name, whether its 4 dims are held as NCHW, and its TF (NHWC) shape."""

    name: str
    nchw: bool
    shape: list[int | None]


def _attr(node: dict, key: str, default=None):
    return node.get("attr", {}).get(key, default)


def _s(node: dict, key: str, default: str | None = None) -> str | None:
    a = _attr(node, key)
    return default if a is None else base64.b64decode(a.get("s", "")).decode()


def _ints(node: dict, key: str) -> list[int] | None:
    a = _attr(node, key)
    return None if a is None else [int(i) for i in a.get("list", {}).get("i", [])]


def _strings(node: dict, key: str) -> list[str]:
    a = _attr(node, key)
    return [] if a is None else [base64.b64decode(s).decode() for s in a.get("list", {}).get("s", [])]


def _public_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", key.split(":")[0])


def _tensor_name(ref: str) -> str:
    """A node input reference ('name', 'name:0', '^control') as the producing node's name."""
    if ref.startswith("^"):
        raise ConversionError(f"control dependency {ref} is not supported")
    name, _, index = ref.partition(":")
    if index not in ("", "0"):
        raise ConversionError(f"{ref}: only a node's first output is supported")
    return name


def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's SAME padding along one axis: the odd pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class _Converter:
    def __init__(self, model_json: dict, weights: dict[str, np.ndarray]):
        topology = model_json.get("modelTopology") or {}
        self.nodes: list[dict] = topology.get("node") or []
        if not self.nodes:
            raise ConversionError("model.json has no modelTopology.node: only graph models are supported")
        self.by_name = {n["name"]: n for n in self.nodes}
        self.weights = weights
        self.model_json = model_json
        self.onnx_nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.tensors: dict[str, _Tensor] = {}
        self._names: set[str] = set()

    # -- helpers

    def _fresh(self, hint: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_/.]", "_", hint)
        name, i = base, 1
        while name in self._names:
            i += 1
            name = f"{base}_{i}"
        self._names.add(name)
        return name

    def _node(self, op: str, inputs: list[str], hint: str, **attrs) -> str:
        out = self._fresh(hint)
        self.onnx_nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def _init(self, array: np.ndarray, hint: str) -> str:
        name = self._fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def _const(self, ref: str, node: dict) -> np.ndarray:
        name = _tensor_name(ref)
        producer = self.by_name.get(name)
        if producer is None or producer["op"] != "Const":
            raise ConversionError(f"{node['op']} {node['name']}: input {ref} must be a constant")
        if name not in self.weights:
            raise ConversionError(f"constant {name} has no weights in the manifest")
        return self.weights[name]

    def _is_const(self, ref: str) -> bool:
        producer = self.by_name.get(_tensor_name(ref))
        return producer is not None and producer["op"] == "Const"

    def _input(self, ref: str, node: dict) -> _Tensor:
        name = _tensor_name(ref)
        if name not in self.tensors:
            if self._is_const(ref):
                raise ConversionError(f"{node['op']} {node['name']}: a constant input ({ref}) is not supported here")
            raise ConversionError(f"{node['op']} {node['name']}: input {ref} is not produced by a converted node")
        return self.tensors[name]

    def _to_nhwc(self, t: _Tensor, hint: str) -> _Tensor:
        if not t.nchw:
            return t
        return _Tensor(self._node("Transpose", [t.name], hint + "/to_nhwc", perm=_NCHW_TO_NHWC), False, t.shape)

    def _check_nhwc(self, node: dict) -> None:
        fmt = _s(node, "data_format", "NHWC")
        if fmt != "NHWC":
            raise ConversionError(f"{node['op']} {node['name']}: data_format {fmt} is not supported (NHWC)")

    def _spatial_pads(self, node: dict, x: _Tensor, kernel: tuple[int, int], strides: tuple[int, int]) -> list[int]:
        padding = _s(node, "padding")
        if padding == "VALID":
            return [0, 0, 0, 0]
        if padding == "SAME":
            h, w = x.shape[1], x.shape[2]
            if h is None or w is None:
                raise ConversionError(f"{node['op']} {node['name']}: SAME padding needs a static height and width")
            top, bottom = _same_pads(h, kernel[0], strides[0])
            left, right = _same_pads(w, kernel[1], strides[1])
            return [top, left, bottom, right]
        raise ConversionError(f"{node['op']} {node['name']}: padding {padding} is not supported (SAME, VALID)")

    def _strides(self, node: dict, key: str = "strides") -> tuple[int, int]:
        s = _ints(node, key)
        if s is None or len(s) != 4 or s[0] != 1 or s[3] != 1:
            raise ConversionError(f"{node['op']} {node['name']}: {key} {s} must be [1, h, w, 1]")
        return s[1], s[2]

    def _check_dilations(self, node: dict) -> None:
        d = _ints(node, "dilations")
        if d not in (None, [1, 1, 1, 1]):
            raise ConversionError(f"{node['op']} {node['name']}: dilations {d} are not supported (1)")

    @staticmethod
    def _conv_shape(x: _Tensor, kernel, strides, pads, channels: int) -> list[int | None]:
        def out(size, k, s, before, after):
            return None if size is None else (size + before + after - k) // s + 1

        return [x.shape[0], out(x.shape[1], kernel[0], strides[0], pads[0], pads[2]),
                out(x.shape[2], kernel[1], strides[1], pads[1], pads[3]), channels]

    def _alpha(self, alpha: np.ndarray, x: _Tensor, hint: str) -> str:
        """A PReLU slope broadcastable against x as ONNX holds it (channels first for a 4-D tensor)."""
        alpha = alpha.astype(np.float32)
        if x.nchw:
            channels = x.shape[3]
            if alpha.size not in (1, channels) or (alpha.ndim and alpha.shape[-1] != alpha.size):
                raise ConversionError(f"{hint}: PReLU slope of shape {alpha.shape} is not per channel")
            alpha = alpha.reshape(-1, 1, 1)
        return self._init(alpha, hint + "/alpha")

    # -- ops

    def _placeholder(self, node: dict) -> None:
        dtype = _attr(node, "dtype", {}).get("type")
        if dtype != "DT_FLOAT":
            raise ConversionError(f"Placeholder {node['name']}: dtype {dtype} is not supported (DT_FLOAT)")
        dims = [int(d.get("size", -1)) for d in _attr(node, "shape", {}).get("shape", {}).get("dim", [])]
        shape = [None if d < 0 else d for d in dims]
        public = self._public_input_name(node["name"])
        self.graph_inputs.append(helper.make_tensor_value_info(
            public, TensorProto.FLOAT, ["N" if i == 0 and d is None else d for i, d in enumerate(shape)]))
        if len(shape) == 4:
            name = self._node("Transpose", [public], node["name"] + "/to_nchw", perm=_NHWC_TO_NCHW)
            self.tensors[node["name"]] = _Tensor(name, True, shape)
        else:
            self.tensors[node["name"]] = _Tensor(public, False, shape)

    def _conv(self, node: dict, depthwise: bool) -> None:
        self._check_nhwc(node)
        self._check_dilations(node)
        inputs = node.get("input", [])
        x = self._input(inputs[0], node)
        if not x.nchw:
            raise ConversionError(f"{node['op']} {node['name']}: input is not 4-D")
        f = self._const(inputs[1], node).astype(np.float32)
        kh, kw = f.shape[0], f.shape[1]
        strides = self._strides(node)
        pads = self._spatial_pads(node, x, (kh, kw), strides)
        attrs = dict(kernel_shape=[kh, kw], strides=list(strides), pads=pads, dilations=[1, 1])
        if depthwise:  # [H, W, C, M] -> [C*M, 1, H, W]; output channel c*M + m, as TF orders it
            c, m = f.shape[2], f.shape[3]
            weight = f.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw)
            attrs["group"] = c
            channels = c * m
        else:  # HWIO -> OIHW
            weight = f.transpose(3, 2, 0, 1)
            channels = f.shape[3]
        conv_inputs = [x.name, self._init(weight, node["name"] + "/weight")]

        activation = None
        if not depthwise:
            fused = tuple(_strings(node, "fused_ops"))
            if fused not in _FUSED_OPS:
                raise ConversionError(f"_FusedConv2D {node['name']}: fused_ops {list(fused)} are not supported "
                                      f"({', '.join(str(list(f)) for f in sorted(_FUSED_OPS))})")
            args = inputs[2:]
            want = 2 if "Prelu" in fused else 1
            num_args = int(_attr(node, "num_args", {}).get("i", len(args)))
            if len(args) != want or num_args != want:
                raise ConversionError(f"_FusedConv2D {node['name']}: {fused} takes {want} arguments, got {len(args)}")
            bias = self._const(args[0], node).astype(np.float32).reshape(-1)
            if bias.size != channels:
                raise ConversionError(f"_FusedConv2D {node['name']}: bias of {bias.size} for {channels} channels")
            conv_inputs.append(self._init(bias, node["name"] + "/bias"))
            activation = fused[1] if len(fused) > 1 else None
        elif len(inputs) != 2:
            raise ConversionError(f"DepthwiseConv2dNative {node['name']}: expected 2 inputs, got {len(inputs)}")

        out_shape = self._conv_shape(x, (kh, kw), strides, pads, channels)
        y = self._node("Conv", conv_inputs, node["name"] + ("/depthwise" if depthwise else "/conv"), **attrs)
        result = _Tensor(y, True, out_shape)
        if activation == "Relu":
            y = self._node("Relu", [y], node["name"] + "/relu")
        elif activation == "Prelu":
            alpha = self._alpha(self._const(inputs[3], node), result, node["name"])
            y = self._node("PRelu", [y, alpha], node["name"] + "/prelu")
        self.tensors[node["name"]] = _Tensor(y, True, out_shape)

    def _maxpool(self, node: dict) -> None:
        self._check_nhwc(node)
        x = self._input(node["input"][0], node)
        if not x.nchw:
            raise ConversionError(f"MaxPool {node['name']}: input is not 4-D")
        kernel = self._strides(node, "ksize")
        strides = self._strides(node)
        pads = self._spatial_pads(node, x, kernel, strides)
        # ONNX MaxPool ignores padded cells, as TF's SAME max pooling does.
        y = self._node("MaxPool", [x.name], node["name"], kernel_shape=list(kernel), strides=list(strides), pads=pads)
        self.tensors[node["name"]] = _Tensor(y, True, self._conv_shape(x, kernel, strides, pads, x.shape[3]))

    def _pad(self, node: dict) -> None:
        x = self._input(node["input"][0], node)
        p = self._const(node["input"][1], node).astype(np.int64)
        if p.shape != (len(x.shape), 2) or (p < 0).any():
            raise ConversionError(f"Pad {node['name']}: paddings of shape {p.shape} for a rank-{len(x.shape)} input")
        if x.nchw:
            p = p[_NHWC_TO_NCHW]
        pads = np.concatenate([p[:, 0], p[:, 1]]).astype(np.int64)
        y = self._node("Pad", [x.name, self._init(pads, node["name"] + "/pads")], node["name"], mode="constant")
        shape = [None if d is None else d + int(a + b) for d, (a, b) in zip(x.shape, self._const(node["input"][1], node))]
        self.tensors[node["name"]] = _Tensor(y, x.nchw, shape)

    def _add(self, node: dict) -> None:
        refs = node["input"]
        if len(refs) != 2 or any(self._is_const(r) for r in refs):
            raise ConversionError(f"AddV2 {node['name']}: only the sum of two computed tensors is supported")
        a, b = (self._input(r, node) for r in refs)
        if a.nchw != b.nchw or a.shape[1:] != b.shape[1:]:
            a, b = self._to_nhwc(a, node["name"] + "/a"), self._to_nhwc(b, node["name"] + "/b")
            if [d for d in a.shape[1:]] != [d for d in b.shape[1:]]:
                raise ConversionError(f"AddV2 {node['name']}: broadcasting {a.shape} + {b.shape} is not supported")
        y = self._node("Add", [a.name, b.name], node["name"])
        self.tensors[node["name"]] = _Tensor(y, a.nchw, a.shape)

    def _prelu(self, node: dict) -> None:
        x = self._input(node["input"][0], node)
        alpha = self._alpha(self._const(node["input"][1], node), x, node["name"])
        self.tensors[node["name"]] = _Tensor(self._node("PRelu", [x.name, alpha], node["name"]), x.nchw, x.shape)

    def _unary(self, node: dict, op: str) -> None:
        if len(node.get("input", [])) != 1:
            raise ConversionError(f"{node['op']} {node['name']}: expected one input")
        x = self._input(node["input"][0], node)
        self.tensors[node["name"]] = _Tensor(self._node(op, [x.name], node["name"]), x.nchw, x.shape)

    def _identity(self, node: dict) -> None:
        if len(node.get("input", [])) != 1:
            raise ConversionError(f"Identity {node['name']}: expected one input")
        self.tensors[node["name"]] = self._input(node["input"][0], node)

    def _softmax(self, node: dict) -> None:
        x = self._input(node["input"][0], node)  # TF: over the last axis, which is axis 1 of an NCHW tensor
        y = self._node("Softmax", [x.name], node["name"], axis=1 if x.nchw else -1)
        self.tensors[node["name"]] = _Tensor(y, x.nchw, x.shape)

    def _reshape(self, node: dict) -> None:
        x = self._to_nhwc(self._input(node["input"][0], node), node["name"])
        shape = self._const(node["input"][1], node).astype(np.int64).reshape(-1)
        if (shape == 0).any() or (shape < -1).any() or (shape == -1).sum() > 1:
            raise ConversionError(f"Reshape {node['name']}: target shape {shape.tolist()} is not supported")
        y = self._node("Reshape", [x.name, self._init(shape, node["name"] + "/shape")], node["name"])
        out: list[int | None] = [int(d) for d in shape]
        if -1 in out:
            known = [d for d in x.shape if d is not None]
            out[out.index(-1)] = None if len(known) != len(x.shape) else int(np.prod(known)) // int(np.prod(shape[shape > 0]))
        self.tensors[node["name"]] = _Tensor(y, False, out)

    def _mean(self, node: dict) -> None:
        x = self._input(node["input"][0], node)
        rank = len(x.shape)
        axes = sorted({int(a) % rank for a in self._const(node["input"][1], node).reshape(-1)})
        keep = bool(_attr(node, "keep_dims", {}).get("b", False))
        hint = node["name"]
        if x.nchw and (keep or axes == [1, 2]):
            onnx_axes = sorted(_NHWC_TO_NCHW.index(a) for a in axes)
            nchw_out = keep
        else:
            x = self._to_nhwc(x, hint)
            onnx_axes, nchw_out = axes, False
        y = self._node("ReduceMean", [x.name], hint, axes=onnx_axes, keepdims=int(keep))
        shape = [1 if i in axes else d for i, d in enumerate(x.shape)] if keep else \
            [d for i, d in enumerate(x.shape) if i not in axes]
        self.tensors[node["name"]] = _Tensor(y, nchw_out, shape)

    # -- driver

    def _signature(self) -> dict:
        sig = self.model_json.get("signature") or (self.model_json.get("userDefinedMetadata") or {}).get("signature")
        return sig or {}

    def _public_input_name(self, node_name: str) -> str:
        for key, spec in (self._signature().get("inputs") or {}).items():
            if _tensor_name(spec.get("name", key)) == node_name:
                return _public_name(key)
        return _public_name(node_name)

    def _outputs(self) -> list[tuple[str, str]]:
        """(public name, producing node) for each graph output, in the signature's order."""
        sig = self._signature().get("outputs") or {}
        if sig:
            return [(_public_name(key), _tensor_name(spec.get("name", key))) for key, spec in sig.items()]
        consumed = {_tensor_name(r) for n in self.nodes for r in n.get("input", []) if not r.startswith("^")}
        return [(_public_name(n["name"]), n["name"]) for n in self.nodes
                if n["name"] not in consumed and n["op"] not in ("Const", "Placeholder")]

    def convert(self, graph_name: str) -> onnx.ModelProto:
        self.graph_inputs: list[onnx.ValueInfoProto] = []
        handlers = {
            "Placeholder": self._placeholder,
            "Const": lambda n: None,
            "Identity": self._identity,
            "_FusedConv2D": lambda n: self._conv(n, depthwise=False),
            "DepthwiseConv2dNative": lambda n: self._conv(n, depthwise=True),
            "MaxPool": self._maxpool,
            "Pad": self._pad,
            "AddV2": self._add,
            "Prelu": self._prelu,
            "Relu": lambda n: self._unary(n, "Relu"),
            "Sigmoid": lambda n: self._unary(n, "Sigmoid"),
            "Softmax": self._softmax,
            "Reshape": self._reshape,
            "Mean": self._mean,
        }
        unknown = sorted({n["op"] for n in self.nodes} - handlers.keys())
        if unknown:
            raise ConversionError(f"unsupported TensorFlow.js ops: {', '.join(unknown)} "
                                  f"(supported: {', '.join(sorted(handlers))})")
        for t in ("T",):  # every computed tensor is float32
            for n in self.nodes:
                dt = _attr(n, t)
                if dt is not None and dt.get("type") != "DT_FLOAT":
                    raise ConversionError(f"{n['op']} {n['name']}: type {dt.get('type')} is not supported (DT_FLOAT)")
        # The public names are taken first, so that no internal tensor can claim one.
        public_outputs = self._outputs()
        self._names.update(public for public, _ in public_outputs)
        self._names.update(self._public_input_name(n["name"]) for n in self.nodes if n["op"] == "Placeholder")
        if len(self._names) != len(public_outputs) + sum(n["op"] == "Placeholder" for n in self.nodes):
            raise ConversionError("two graph inputs or outputs have the same name")
        for node in self._topological():
            handlers[node["op"]](node)

        outputs = []
        for public, producer in public_outputs:
            if producer not in self.tensors:
                raise ConversionError(f"output {public}: tensor {producer} is not produced by the graph")
            t = self._to_nhwc(self.tensors[producer], public)
            self.onnx_nodes.append(helper.make_node("Identity", [t.name], [public], name=public))
            outputs.append(helper.make_tensor_value_info(
                public, TensorProto.FLOAT, ["N" if i == 0 and d is None else d for i, d in enumerate(t.shape)]))
        if not self.graph_inputs or not outputs:
            raise ConversionError("the graph has no input or no output")

        graph = helper.make_graph(self.onnx_nodes, graph_name, self.graph_inputs, outputs, self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name=PRODUCER, producer_version="1")
        model.ir_version = IR_VERSION
        for key in ("generatedBy", "convertedBy"):
            if key in self.model_json:
                model.metadata_props.add(key=f"tfjs.{key}", value=str(self.model_json[key]))
        onnx.checker.check_model(model)
        return model

    def _topological(self) -> list[dict]:
        """The nodes in an order where every input comes first (tfjs does not promise one)."""
        order, state = [], {}

        def visit(name: str, path: tuple[str, ...]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                raise ConversionError(f"the graph has a cycle through {name}")
            node = self.by_name.get(name)
            if node is None:
                raise ConversionError(f"{path[-1] if path else '?'}: input {name} is not a node of the graph")
            state[name] = 1
            for ref in node.get("input", []):
                visit(_tensor_name(ref), path + (name,))
            state[name] = 2
            order.append(node)

        for n in self.nodes:
            visit(n["name"], ())
        return order


def convert(model_json_path: str | Path) -> onnx.ModelProto:
    """The ONNX model for a tfjs graph model.json whose weight files lie beside it."""
    path = Path(model_json_path)
    model_json = json.loads(path.read_text())
    if model_json.get("format") not in (None, "graph-model"):
        raise ConversionError(f"{path}: format {model_json.get('format')!r} is not a graph model")
    weights = read_weights(model_json, path.parent)
    return _Converter(model_json, weights).convert(path.stem)


def save(model: onnx.ModelProto, out: str | Path) -> None:
    Path(out).write_bytes(model.SerializeToString(deterministic=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m emi_ml.tfjs_onnx", description=__doc__.split("\n\n")[0])
    parser.add_argument("model_json", help="the tfjs graph model's model.json (weight files beside it)")
    parser.add_argument("out", help="the ONNX file to write")
    args = parser.parse_args(argv)
    try:
        model = convert(args.model_json)
    except ConversionError as e:
        print(f"tfjs_onnx: {args.model_json}: {e}", file=sys.stderr)
        return 2
    save(model, args.out)
    g = model.graph
    print(f"tfjs_onnx: {args.out}: {len(g.node)} nodes, inputs {[i.name for i in g.input]}, "
          f"outputs {[o.name for o in g.output]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
