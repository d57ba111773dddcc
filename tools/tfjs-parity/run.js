// Runs a TensorFlow.js graph model on TensorFlow.js itself (the pure JavaScript CPU backend, no native
// library) and writes its outputs, so the ONNX conversion (ml/emi_ml/tfjs_onnx.py) can be compared with the
// original. Usage: node run.js JOB.json
//
// JOB.json: { "model": "path/model.json",
//             "outputs": [ { "name": "output_mesh", "node": "Identity_2" }, ... ],
//             "cases": [ { "name": "astronaut", "input": "in.f32", "shape": [1,192,192,3], "out_dir": "dir" } ] }
// Inputs are raw little-endian float32 (C order); each output is written as OUT_DIR/<case>.<name>.f32,
// and the shapes are printed as JSON on stdout. Paths are relative to JOB.json.
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

function readWeights(modelJson, folder) {
  const specs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(folder, p)));
  }
  const all = Buffer.concat(buffers);
  return { specs, data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) };
}

function readFloat32(file, shape) {
  const bytes = fs.readFileSync(file);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * 4) throw new Error(`${file}: ${bytes.length} bytes for shape [${shape}]`);
  const copy = new Uint8Array(bytes); // aligned copy
  return new Float32Array(copy.buffer, 0, count);
}

async function main() {
  const jobPath = process.argv[2];
  if (!jobPath) throw new Error('usage: node run.js JOB.json');
  const base = path.dirname(path.resolve(jobPath));
  const job = JSON.parse(fs.readFileSync(jobPath, 'utf8'));
  const modelPath = path.resolve(base, job.model);
  const modelJson = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const weights = readWeights(modelJson, path.dirname(modelPath));

  if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs CPU backend did not start');
  await tf.ready();
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: weights.specs,
    weightData: weights.data,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
  }));
  const inputNode = model.inputs[0].name.split(':')[0];

  const report = { tfjs: tf.version.tfjs, backend: tf.getBackend(), cases: {} };
  for (const c of job.cases) {
    const x = tf.tensor(readFloat32(path.resolve(base, c.input), c.shape), c.shape, 'float32');
    const started = process.hrtime.bigint();
    let ys = model.execute({ [inputNode]: x }, job.outputs.map((o) => o.node));
    if (!Array.isArray(ys)) ys = [ys];
    const shapes = {};
    for (let i = 0; i < ys.length; i++) {
      const data = await ys[i].data();
      const outDir = path.resolve(base, c.out_dir);
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, `${c.name}.${job.outputs[i].name}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      shapes[job.outputs[i].name] = ys[i].shape;
    }
    report.cases[c.name] = { shapes, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    tf.dispose([x, ...ys]);
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => { console.error(`tfjs-parity: ${e.stack || e}`); process.exit(1); });
