"""Export: ONNX Runtime on the exported graphs agrees with PyTorch; the reference bundle is reproducible."""

from __future__ import annotations

import filecmp
import json

import numpy as np
import onnx
import pytest
import torch

from conftest import REFERENCE_BUNDLE, REFERENCE_FIXTURES
from emi_ml import audio, export, fixtures, graphs, ort, visual, weights
from emi_ml.config import PRESETS

TINY = PRESETS["tiny"]


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    models = {b: weights.build(b, TINY, 99).eval() for b in weights.BRANCHES}
    for b, m in models.items():
        export.export_branch(b, m, out)
    return out, models


def _inputs(branch, model, seed):
    g = torch.Generator().manual_seed(seed)
    if branch == "audio":  # other batch sizes and lengths than the traced ones
        return [(torch.randn(3, 36_800, generator=g) * 0.3,), (torch.randn(1, 401, generator=g) * 0.3,)]
    s = model.cfg.image_size
    n_aus = len(model.cfg.action_units)
    return [(torch.randn(1, 7, 3, s, s, generator=g), torch.zeros(1, 7, n_aus)),
            (torch.randn(3, 1, 3, s, s, generator=g), torch.rand(3, 1, n_aus, generator=g) * 5)]


@pytest.mark.parametrize("branch", weights.BRANCHES)
def test_tiny_onnx_matches_pytorch_within_1e_4_per_graph(tiny_export, branch):
    """Each graph (backbone, head) on its own, and the two chained, match PyTorch's whole branch."""
    folder, models = tiny_export
    model = models[branch].eval()
    cases = list(enumerate(_inputs(branch, model, 5)))
    split = graphs.split_cases(branch, model, cases)
    for graph in graphs.graphs(branch, model):
        assert export.parity(graph, folder / graph.file, [inputs for _, inputs in split[graph.kind]]) <= 1e-4, graph.file
    names = audio.OUTPUTS if branch == "audio" else visual.OUTPUTS
    with ort.Session(folder / f"{branch}-backbone.onnx") as backbone, ort.Session(folder / f"{branch}-head.onnx") as head:
        for _, inputs in cases:
            with torch.no_grad():
                expected = [t.numpy() for t in model(*inputs)]
            first = inputs[0].numpy()
            if branch == "audio":
                feats = backbone.run(["features"], {"waveform": first})[0]
                got = head.run(names, {"features": feats})
            else:
                b, t = first.shape[:2]
                feats = backbone.run(["features"], {"frames": first.reshape((b * t,) + first.shape[2:])})[0]
                got = head.run(names, {"features": feats.reshape(b, t, -1), "aus": inputs[1].numpy()})
            for name, e, g in zip(names, expected, got):
                assert g.shape == e.shape, name
                assert np.abs(g - e).max() <= 1e-4, name
                # Outputs that sit at 0 or 1 would make the comparison vacuous.
                assert 0.01 < e.mean() < 0.99 and e.std() > 1e-4 or e.size < 2 * e.shape[-1], name


def test_audio_step_count_follows_the_documented_formula(tiny_export):
    folder, models = tiny_export
    cfg = TINY.audio
    with ort.Session(folder / "audio-backbone.onnx") as backbone, ort.Session(folder / "audio-head.onnx") as head:
        for samples in (400, 719, 720, 16_000, 16_001):
            features = backbone.run(["features"], {"waveform": np.zeros((1, samples), np.float32) + 0.01})[0]
            emi_steps, vad_steps = head.run(["emi_steps", "vad_steps"], {"features": features})
            expected = (samples - cfg.receptive_field_samples) // cfg.step_samples + 1
            assert emi_steps.shape == (1, expected, 6) == vad_steps.shape[:2] + (6,)
            assert audio.num_steps(cfg, samples) == expected


def test_graph_inputs_and_outputs_are_the_manifests():
    manifest = json.loads((REFERENCE_BUNDLE / "manifest.json").read_text())
    for branch, part in ((b, p) for b in ("audio", "visual") for p in ("backbone", "head")):
        section = manifest[branch][part]
        graph = onnx.load(str(REFERENCE_BUNDLE / section["onnx"])).graph
        declared_in = [section["input"]] if part == "backbone" else list(section["inputs"].values())
        declared_out = [section["output"]] if part == "backbone" else list(section["outputs"].values())
        for kind, declared, actual in (("in", declared_in, graph.input), ("out", declared_out, graph.output)):
            by_name = {v.name: v for v in actual}
            assert sorted(by_name) == sorted(d["name"] for d in declared), (branch, kind)
            for d in declared:
                dims = by_name[d["name"]].type.tensor_type.shape.dim
                assert len(dims) == len(d["shape"]), d["name"]
                for dim, want in zip(dims, d["shape"]):
                    if isinstance(want, int):
                        assert dim.dim_value == want, d["name"]
                    else:  # dynamic axes stay dynamic
                        assert dim.dim_value == 0 and dim.dim_param, d["name"]
        assert onnx.load(str(REFERENCE_BUNDLE / section["onnx"])).opset_import[0].version == section["opset"]


def test_reference_bundle_regenerates_bit_for_bit(tmp_path):
    args = list(export.REFERENCE)
    args[args.index("--out") + 1] = str(tmp_path / "bundle")
    args[args.index("--fixtures") + 1] = str(tmp_path / "fixtures")
    assert export.main(args) == 0
    committed = sorted(p.name for p in REFERENCE_BUNDLE.iterdir())
    assert committed == sorted(p.name for p in (tmp_path / "bundle").iterdir())
    for name in committed:
        assert filecmp.cmp(REFERENCE_BUNDLE / name, tmp_path / "bundle" / name, shallow=False), name
    # Fixture inputs and index are exact; PyTorch's outputs are compared as numbers, since another
    # CPU's vector units may round the last bit differently.
    index = json.loads((REFERENCE_FIXTURES / "index.json").read_text())
    assert index == json.loads((tmp_path / "fixtures" / "index.json").read_text())
    for case in index["cases"]:
        old_in, old_out = fixtures.read_case(REFERENCE_FIXTURES, case)
        new_in, new_out = fixtures.read_case(tmp_path / "fixtures", case)
        for k in old_in:
            assert np.array_equal(old_in[k], new_in[k]), (case["name"], k)
        for k in old_out:
            np.testing.assert_allclose(new_out[k], old_out[k], atol=1e-6, err_msg=f"{case['name']} {k}")


def test_reference_bundle_is_small_and_says_it_is_untrained():
    size = sum(p.stat().st_size for p in REFERENCE_BUNDLE.iterdir())
    assert size < 20 * 2**20
    manifest = json.loads((REFERENCE_BUNDLE / "manifest.json").read_text())
    assert manifest["trained"] is False
    assert manifest["audio"]["trained"] is False and manifest["visual"]["trained"] is False
    assert "NOT trained" in manifest["provenance"] and "seed 1234" in manifest["provenance"]
    fixture_bytes = sum(p.stat().st_size for p in REFERENCE_FIXTURES.iterdir())
    assert fixture_bytes < 2**20


def test_committed_fixtures_hold_for_onnx_runtime_on_the_committed_bundle():
    index = json.loads((REFERENCE_FIXTURES / "index.json").read_text())
    manifest = json.loads((REFERENCE_BUNDLE / "manifest.json").read_text())
    graphs = [(b, g) for b in ("audio", "visual") for g in ("backbone", "head")]
    assert index["bundle_sha256"] == {b: {g: manifest[b][g]["sha256"] for g in ("backbone", "head")} for b in ("audio", "visual")}
    assert {(c["branch"], c["graph"]) for c in index["cases"]} == set(graphs)
    sessions = {(b, g): ort.Session(REFERENCE_BUNDLE / manifest[b][g]["onnx"]) for b, g in graphs}
    for case in index["cases"]:
        inputs, outputs = fixtures.read_case(REFERENCE_FIXTURES, case)
        got = sessions[(case["branch"], case["graph"])].run(list(outputs), inputs)
        for (name, want), g in zip(outputs.items(), got):
            assert np.abs(g - want).max() <= index["tolerance"], (case["name"], name)
