#!/usr/bin/env node
// Evidence for the points-only fix (src/model/decoder-graph.ts) on the bench model's real SAM 2.1
// decoder graph (random weights): `node bench/points-only.mjs [sam2.1-hiera-tiny-ONNX|EdgeTAM-ONNX]`.
// Reference for points-only: SAM 2's prompt encoder computed by hand in JS (PositionEmbeddingRandom +
// point_embed + not_a_point_embed, with the graph's own weights) fed to the decoder half of the
// untouched graph (the sparse-token Concat removed, its output made a graph input): no Concat with
// boxes exists in the reference at all.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import * as ort from 'onnxruntime-web/wasm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'sam2-points-only-'));
await build({ entryPoints: [join(root, 'src/model/decoder-graph.ts'), join(root, 'src/model/onnx-graph.ts')], bundle: true, format: 'esm', platform: 'neutral', outdir: out, logLevel: 'warning' });
const { fixEmptyBoxConcat, findBoxConcat } = await import(pathToFileURL(join(out, 'decoder-graph.js')).href);
const { readGraph, readFields, editModel, encodeValueInfo } = await import(pathToFileURL(join(out, 'onnx-graph.js')).href);
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
const repo = process.argv[2] ?? 'sam2.1-hiera-tiny-ONNX';
const dir = join(root, 'bench', 'models', 'onnx-community', repo, 'onnx') + '/';
if (!existsSync(dir + 'prompt_encoder_mask_decoder.onnx')) {
  const builder = process.env.BENCH_MODELS_BUILDER ?? join(root, '..', 'shared', 'bench-models', 'build.mjs');
  execFileSync(process.execPath, [builder, join(root, 'bench', 'models'), repo.startsWith('EdgeTAM') ? 'edgetam' : 'tiny'], { stdio: 'inherit' });
}
const bytes = new Uint8Array(readFileSync(dir + 'prompt_encoder_mask_decoder.onnx'));
const data = readFileSync(dir + 'prompt_encoder_mask_decoder.onnx_data');
const graph = readGraph(bytes);
const concat = findBoxConcat(graph);
const node = graph.nodes[concat.index];
console.log(repo, 'box concat:', node.name, 'axis', node.ints.axis, concat);
// the decoder half: Concat removed, its output an input
const half = editModel(bytes, { replaceNodes: new Map([[concat.index, []]]), inputs: [encodeValueInfo(node.outputs[0], 1, [1, 1, 'tokens', 256])] });
// weights of the point branch
const tensors = new Map();
const gf = readFields(readFields(bytes).find((f) => f.field === 7).payload);
for (const f of gf.filter((f) => f.field === 5)) {
  const t = { dims: [] }; for (const x of readFields(f.payload)) { if (x.field === 1) t.dims.push(x.value); if (x.field === 8) t.name = new TextDecoder().decode(x.payload); if (x.field === 9) t.raw = x.payload; if (x.field === 13) { const kv = readFields(x.payload); const k = new TextDecoder().decode(kv.find((y) => y.field === 1).payload); const v = new TextDecoder().decode(kv.find((y) => y.field === 2).payload); (t.ext ??= {})[k] = v; } }
  tensors.set(t.name, t);
}
const floats = (name) => { const t = tensors.get(name); const b = t.raw ? Buffer.from(t.raw) : data.subarray(Number(t.ext.offset), Number(t.ext.offset) + Number(t.ext.length)); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); };
const G = floats('m.prompt_encoder.shared_embedding.positional_embedding'); // [2,128]
const PE = floats('m.prompt_encoder.point_embed.weight'); // [4,256]
const NAP = floats('m.prompt_encoder.not_a_point_embed.weight'); // [1,256]
// SAM 2 (sam2/modeling/position_encoding.py PositionEmbeddingRandom, sam/prompt_encoder.py _embed_points):
// c = 2*((p+0.5)/1024) - 1; e = 2π c·G; token = [sin e, cos e] + point_embed[label]; label -1 -> not_a_point_embed.
function tokens(points) {
  const out = new Float32Array(points.length * 256);
  points.forEach(([x, y, label], i) => {
    if (label === -1) { out.set(NAP, i * 256); return; }
    const cx = Math.fround(2 * Math.fround(Math.fround(x + 0.5) / 1024) - 1), cy = Math.fround(2 * Math.fround(Math.fround(y + 0.5) / 1024) - 1);
    for (let k = 0; k < 128; k++) {
      const e = 2 * Math.PI * (cx * G[k] + cy * G[128 + k]);
      out[i * 256 + k] = Math.sin(e) + PE[label * 256 + k];
      out[i * 256 + 128 + k] = Math.cos(e) + PE[label * 256 + 128 + k];
    }
  });
  return out;
}
const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', externalData: [{ path: 'prompt_encoder_mask_decoder.onnx_data', data }] };
const original = await ort.InferenceSession.create(bytes, opts);
const fixed = await ort.InferenceSession.create(fixEmptyBoxConcat(bytes).bytes, opts);
const reference = await ort.InferenceSession.create(half, opts);
let s = 12345; const rnd = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 4294967296; };
const normal = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd()); return a; };
const emb = { 'image_embeddings.0': new ort.Tensor('float32', normal(32*256*256), [1,32,256,256]), 'image_embeddings.1': new ort.Tensor('float32', normal(64*128*128), [1,64,128,128]), 'image_embeddings.2': new ort.Tensor('float32', normal(256*64*64), [1,256,64,64]) };
const feeds = (points, names) => { const f = { ...emb,
  input_points: new ort.Tensor('float32', new Float32Array(points.flatMap((p) => [p[0], p[1]])), [1,1,points.length,2]),
  input_labels: new ort.Tensor('int64', BigInt64Array.from(points.map((p) => BigInt(p[2]))), [1,1,points.length]),
  input_boxes: new ort.Tensor('float32', new Float32Array(0), [1,0,4]) };
  for (const k of Object.keys(f)) if (!names.includes(k)) delete f[k]; return f; };
const maxDiff = (a, b) => { let d = 0; for (let i = 0; i < a.length; i++) { const x = Math.abs(a[i] - b[i]); if (Number.isNaN(x)) return NaN; if (x > d) d = x; } return d; };
const PAD = [0, 0, -1];
const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
const withBox = (f, box) => ({ ...f, input_boxes: new ort.Tensor('float32', Float32Array.from(box), [1, 1, 4]) });
// 1. The original graph, points-only with an empty box (what the element and Transformers.js sent).
for (const P of [[[400.3, 300.7, 1]], [[400.3, 300.7, 1], [620, 512, 1], [100, 900, 0]]]) {
  const runs = [];
  for (let i = 0; i < 20; i++) runs.push((await original.run(feeds(P, original.inputNames))).pred_masks.data.slice());
  const fixedRuns = [];
  for (let i = 0; i < 20; i++) fixedRuns.push((await fixed.run(feeds([...P, PAD], fixed.inputNames))).pred_masks.data.slice());
  console.log(`${P.length} point(s), 20 decodes: original graph + empty box: ${runs.filter((r) => r.some(Number.isNaN)).length} with NaN, ${new Set(runs.map((r) => r.slice(0, 4096).join())).size} distinct; ` +
    `rewritten graph + padding point: ${fixedRuns.filter((r) => r.some(Number.isNaN)).length} with NaN, bit-identical ${fixedRuns.every((r) => same(r, fixedRuns[0]))}`);
}
// 2. With a box the rewrite is the identity; box-only with zero points vs the old extra (0,0,-1) point.
{
  const box = [210.2, 150.9, 700.4, 640.1];
  for (const P of [[], [[400.3, 300.7, 1]]]) {
    const a = await original.run(withBox(feeds(P, original.inputNames), box));
    const b = await fixed.run(withBox(feeds(P, fixed.inputNames), box));
    console.log(`${P.length ? 'point + box' : 'box only'}: rewritten vs original graph bit-identical ${same(a.pred_masks.data, b.pred_masks.data) && same(a.iou_scores.data, b.iou_scores.data)}`);
  }
  const zero = await original.run(withBox(feeds([], original.inputNames), box));
  const padded = await original.run(withBox(feeds([PAD], original.inputNames), box));
  console.log(`box only: an extra (0,0,-1) point changes the logits by up to ${maxDiff(zero.pred_masks.data, padded.pred_masks.data).toExponential(2)}`);
}
// 3. The rewritten graph vs an independent reference (hand-built SAM 2 prompt encoder + decoder half).
for (const P of [[[400.3, 300.7, 1]], [[400.3, 300.7, 1], [620, 512, 1], [100, 900, 0]], [[10, 1000, 0], [1023, 0, 1]]]) {
  const all = [...P, PAD];
  const a = await fixed.run(feeds(all, fixed.inputNames));
  const rf = feeds(all, reference.inputNames);
  rf[node.outputs[0]] = new ort.Tensor('float32', tokens(all), [1, 1, all.length, 256]);
  const b = await reference.run(rf);
  const scale = a.pred_masks.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  console.log(`${P.length} point(s): fixed graph vs hand-built SAM 2 prompt encoder + decoder half: logits max diff ${maxDiff(a.pred_masks.data, b.pred_masks.data).toExponential(2)} (max |logit| ${scale.toFixed(2)}), iou max diff ${maxDiff(a.iou_scores.data, b.iou_scores.data).toExponential(2)}, object score diff ${maxDiff(a.object_score_logits.data, b.object_score_logits.data).toExponential(2)}; tokens ${a.pred_masks.dims}`);
  // the padding point's coordinates do not matter (label -1 = not_a_point_embed)
  const c = await fixed.run(feeds([...P, [512, 77, -1]], fixed.inputNames));
  console.log('   padding point at (512,77) instead of (0,0): bit-identical', a.pred_masks.data.every((x, i) => Object.is(x, c.pred_masks.data[i])));
}
