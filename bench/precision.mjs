#!/usr/bin/env node
// `npm run bench:precision`: every precision variant of SAM 2.1 tiny and EdgeTAM that the bench
// models have or that is made here faithfully (../shared/bench-models: real architectures, random
// weights), measured with onnxruntime-web's WASM backend in Node — the element's session options,
// 1 thread by default — for download size, session creation, encoder and decoder time. Writes
// bench/results/precision.{json,md}. A provisional measurement on a shared machine: re-run on a
// quiet one before quoting it.
//
//   node bench/precision.mjs [--threads N] [--encodes N] [--decodes N] [--memory]
//
// `--memory` also measures memory per preset and precision: each pair the element would hold
// (encoder + decoder of one model and precision) is loaded in a fresh Node process that creates
// both sessions and runs one encode and one decode; its peak RSS (`process.resourceUsage().maxRSS`,
// wasm memory included) less that of a process that only imported onnxruntime-web is the pair's cost —
// what the element's worker adds to a renderer for that model (bench/results/precision-memory.*).
//
// Where the variants come from:
// - tiny fp32, fp16 encoder, fp32 decoder; EdgeTAM fp32: the bench models' onnx-community exports.
// - tiny q8 encoder and decoder: the bench models' samexporter q8 files (onnxruntime's
//   quantize_dynamic, uint8 weights): same architecture and weights layout as the onnx-community
//   export, so their timing stands for the onnx-community `_quantized` files. The EdgeTAM decoder
//   is SAM 2's, so the tiny q8 decoder row stands for EdgeTAM's q8 decoder too.
// - EdgeTAM q8 encoder: made here by bench/convert/quantize-q8.mjs from the fp32 export, as
//   Transformers.js's quantiser does it for a Conv model (onnxruntime's IntegerOps dynamic
//   quantisation, uint8 weights; node pattern checked against onnxruntime's own output by
//   bench/convert/check-q8.mjs, arithmetic by test/node/quantize-q8.test.mjs).
// Not measured, with the reason:
// - fp16 decoders and EdgeTAM fp16: a faithful fp16 conversion (Transformers.js's float16.py,
//   onnxconverter-common's algorithm) needs ONNX type and shape inference of every intermediate
//   tensor to place its Casts, which has no JavaScript implementation here; and WASM is not where
//   fp16 is chosen (`auto` picks fp16 only on WebGPU with shader-f16).
// - q4f16 (MatMulNBits with fp16 compute): needs onnxruntime's MatMul4BitsQuantizer plus the
//   fp16 conversion above.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web/wasm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const models = join(root, 'bench', 'models');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const threads = option('threads', 1);
const encodes = option('encodes', 2);
const decodes = option('decodes', 10);

const community = (repo) => join(models, 'onnx-community', repo, 'onnx');
const builder = process.env.BENCH_MODELS_BUILDER ?? join(root, '..', 'shared', 'bench-models', 'build.mjs');
for (const [which, probe] of [['tiny', 'onnx-community/sam2.1-hiera-tiny-ONNX/onnx/vision_encoder_fp16.onnx'], ['edgetam', 'onnx-community/EdgeTAM-ONNX/onnx/vision_encoder.onnx']]) {
  if (!existsSync(join(models, probe))) execFileSync(process.execPath, [builder, models, which], { stdio: 'inherit' });
}

// The EdgeTAM q8 encoder, converted once from the fp32 export (a second or two).
const edgetamQ8 = join(models, 'converted', 'EdgeTAM-ONNX', 'onnx', 'vision_encoder_quantized.onnx');
if (!existsSync(edgetamQ8)) {
  mkdirSync(dirname(edgetamQ8), { recursive: true });
  execFileSync(process.execPath, [join(root, 'bench', 'convert', 'quantize-q8.mjs'), join(community('EdgeTAM-ONNX'), 'vision_encoder.onnx'), edgetamQ8], { stdio: 'inherit' });
}

ort.env.wasm.numThreads = threads;
ort.env.logLevel = 'error';

/** [model, precision, role, graph path (its external data, if any, beside it as <path>_data), contract] */
const VARIANTS = [
  ['tiny', 'fp32', 'encoder', join(community('sam2.1-hiera-tiny-ONNX'), 'vision_encoder.onnx'), 'onnx-community'],
  ['tiny', 'fp16', 'encoder', join(community('sam2.1-hiera-tiny-ONNX'), 'vision_encoder_fp16.onnx'), 'onnx-community'],
  ['tiny', 'q8', 'encoder', join(models, 'sam2.1_hiera_tiny', 'encoder.q8.onnx'), 'samexporter'],
  ['tiny', 'fp32', 'decoder', join(community('sam2.1-hiera-tiny-ONNX'), 'prompt_encoder_mask_decoder.onnx'), 'onnx-community'],
  ['tiny', 'q8', 'decoder', join(models, 'sam2.1_hiera_tiny', 'decoder.q8.onnx'), 'samexporter'],
  ['edgetam', 'fp32', 'encoder', join(community('EdgeTAM-ONNX'), 'vision_encoder.onnx'), 'onnx-community'],
  ['edgetam', 'q8', 'encoder', edgetamQ8, 'onnx-community'],
  ['edgetam', 'fp32', 'decoder', join(community('EdgeTAM-ONNX'), 'prompt_encoder_mask_decoder.onnx'), 'onnx-community'],
];

/**
 * `<graph>_data` when the graph names it as its external data (onnx-community files); the bench
 * models' single-file samexporter graphs (`encoder.q8.onnx`) sit beside an `encoder.q8.onnx_data`
 * that belongs to their external-data twin (`encoder.q8.external.onnx`) and is not theirs.
 */
const externalDataOf = (path) => {
  const data = `${path}_data`;
  return existsSync(data) && readFileSync(path).includes(basename(data)) ? data : null;
};
const sizeOf = (path) => statSync(path).size + (externalDataOf(path) ? statSync(externalDataOf(path)).size : 0);
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function session(path) {
  const data = externalDataOf(path);
  const externalData = data ? [{ path: basename(data), data: readFileSync(data) }] : undefined;
  const t = performance.now();
  const s = await ort.InferenceSession.create(readFileSync(path), { executionProviders: ['wasm'], graphOptimizationLevel: 'all', enableCpuMemArena: true, ...(externalData ? { externalData } : {}) });
  return { s, createMs: performance.now() - t };
}

let seed = 7;
const random = (n) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1);
const image = () => new ort.Tensor('float32', random(3 * 1024 * 1024), [1, 3, 1024, 1024]);
const embeddings = (contract) => {
  const [a, b, c] = [random(32 * 256 * 256), random(64 * 128 * 128), random(256 * 64 * 64)];
  return contract === 'samexporter'
    ? { high_res_feats_0: new ort.Tensor('float32', a, [1, 32, 256, 256]), high_res_feats_1: new ort.Tensor('float32', b, [1, 64, 128, 128]), image_embed: new ort.Tensor('float32', c, [1, 256, 64, 64]) }
    : { 'image_embeddings.0': new ort.Tensor('float32', a, [1, 32, 256, 256]), 'image_embeddings.1': new ort.Tensor('float32', b, [1, 64, 128, 128]), 'image_embeddings.2': new ort.Tensor('float32', c, [1, 256, 64, 64]) };
};
const prompt = (contract) =>
  contract === 'samexporter'
    ? { point_coords: new ort.Tensor('float32', Float32Array.from([400, 300]), [1, 1, 2]), point_labels: new ort.Tensor('float32', Float32Array.from([1]), [1, 1]), mask_input: new ort.Tensor('float32', new Float32Array(65536), [1, 1, 256, 256]), has_mask_input: new ort.Tensor('float32', Float32Array.from([0]), [1]) }
    : { input_points: new ort.Tensor('float32', Float32Array.from([400, 300, 210, 150, 700, 640]), [1, 1, 3, 2]), input_labels: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n]), [1, 1, 3]), input_boxes: new ort.Tensor('float32', Float32Array.from([210, 150, 700, 640]), [1, 1, 4]) };

/** Encoder + decoder held together, per model and precision (indices into VARIANTS). */
const PAIRS = [
  ['tiny', 'fp32', 0, 3],
  ['tiny', 'fp16', 1, 3],
  ['tiny', 'q8', 2, 4],
  ['edgetam', 'fp32', 5, 7],
  // EdgeTAM's decoder is SAM 2's: the tiny q8 decoder stands for its q8 decoder (see above).
  ['edgetam', 'q8', 6, 4],
];

const childIndex = args.indexOf('--child');
if (childIndex >= 0) {
  // One pair in this fresh process (or, for -1, nothing: the baseline, onnxruntime-web imported).
  const pair = PAIRS[Number(args[childIndex + 1])];
  if (pair) {
    const [, , e, d] = pair;
    const encoder = await session(VARIANTS[e][3]);
    const decoder = await session(VARIANTS[d][3]);
    await encoder.s.run({ [VARIANTS[e][4] === 'samexporter' ? 'image' : 'pixel_values']: image() });
    await decoder.s.run({ ...embeddings(VARIANTS[d][4]), ...prompt(VARIANTS[d][4]) });
  }
  process.stdout.write(`${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
  process.exit(0);
}

if (args.includes('--memory')) {
  const peak = (index) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--threads', String(threads), '--child', String(index)], { encoding: 'utf8' }).trim().split('\n').pop()).maxRssBytes;
  const baseline = peak(-1);
  const memoryRows = PAIRS.map(([model, precision, e, d], index) => {
    const bytes = peak(index);
    const row = { model, precision, encoder: VARIANTS[e][3].slice(models.length + 1), decoder: VARIANTS[d][3].slice(models.length + 1), fileBytes: sizeOf(VARIANTS[e][3]) + sizeOf(VARIANTS[d][3]), peakRssBytes: bytes, aboveBaselineBytes: bytes - baseline };
    console.log(`${model} ${precision}: files ${(row.fileBytes / 1e6).toFixed(1)} MB, peak RSS ${(bytes / 2 ** 20).toFixed(0)} MiB (${(row.aboveBaselineBytes / 2 ** 20).toFixed(0)} MiB above the baseline)`);
    return row;
  });
  const environment = { node: process.version, threads, baselineRssBytes: baseline, at: new Date().toISOString() };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'precision-memory.json'), `${JSON.stringify({ environment, rows: memoryRows }, null, 2)}\n`);
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  writeFileSync(
    join(root, 'bench', 'results', 'precision-memory.md'),
    [
      `# Memory per preset and precision (onnxruntime-web WASM in Node ${process.version}, ${threads} thread${threads > 1 ? 's' : ''}, ${environment.at})`,
      '',
      'Each row: a fresh process creates the encoder and decoder sessions and runs one encode (1024² input) and one decode; peak RSS (wasm memory included) and the same less a process that only imported onnxruntime-web (' + mib(baseline) + '; the wasm runtime itself starts with the first session, so it is counted in every row). This is what the worker of one element adds for that model; the browser adds its own page and decoded images.',
      '',
      '| model | precision | files | peak RSS | above the baseline | encoder / decoder file |',
      '|---|---|---|---|---|---|',
      ...memoryRows.map((r) => `| ${r.model} | ${r.precision} | ${(r.fileBytes / 1e6).toFixed(1)} MB | ${mib(r.peakRssBytes)} | ${mib(r.aboveBaselineBytes)} | \`${r.encoder}\` / \`${r.decoder}\` |`),
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const rows = [];
for (const [model, precision, role, path, contract] of VARIANTS) {
  const { s, createMs } = await session(path);
  const runs = [];
  const cpu = [];
  const count = role === 'encoder' ? encodes + 1 : decodes + 1;
  const feeds = role === 'encoder' ? { [contract === 'samexporter' ? 'image' : 'pixel_values']: image() } : { ...embeddings(contract), ...prompt(contract) };
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await s.run(feeds);
    runs.push(performance.now() - t);
    // CPU time of this process (user + system): on a machine shared with other work it is the
    // steadier measure; with 1 WASM thread onnxruntime runs on this thread.
    const { user, system } = process.cpuUsage(c);
    cpu.push((user + system) / 1000);
  }
  await s.release();
  const row = { model, precision, role, file: path.slice(models.length + 1), bytes: sizeOf(path), createMs: Math.round(createMs), firstMs: Math.round(runs[0]), medianMs: Math.round(median(runs.slice(1))), medianCpuMs: Math.round(median(cpu.slice(1))), runs: runs.map(Math.round), cpuMs: cpu.map(Math.round) };
  rows.push(row);
  console.log(`${model} ${precision} ${role}: ${(row.bytes / 1e6).toFixed(1)} MB, create ${row.createMs} ms, first ${row.firstMs} ms, median ${row.medianMs} ms (CPU ${row.medianCpuMs} ms)`);
}

const environment = { node: process.version, ort: ort.env.versions?.web ?? 'onnxruntime-web', threads, cores: (await import('node:os')).cpus().length, at: new Date().toISOString() };
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'precision.json'), `${JSON.stringify({ environment, rows }, null, 2)}\n`);
const md = [
  `# Precision variants (WASM, ${threads} thread${threads > 1 ? 's' : ''}, Node ${environment.node}, ${environment.cores} cores, ${environment.at})`,
  '',
  'PROVISIONAL: measured on a shared machine. Bench models (random weights): sizes and speed only.',
  '',
  `${encodes} timed encodes and ${decodes} timed decodes after a first run that the medians leave out; a decode is one prompt (onnx-community graphs: 3 points and a box; samexporter: 1 point).`,
  '',
  '| model | precision | part | download | session create | first run | median run (wall) | median run (CPU) | file (under bench/models) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.precision} | ${r.role} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.createMs} ms | ${r.firstMs} ms | ${r.medianMs} ms | ${r.medianCpuMs} ms | \`${r.file}\` |`),
  '',
].join('\n');
writeFileSync(join(root, 'bench', 'results', 'precision.md'), md);
console.log(`\n${md}`);
