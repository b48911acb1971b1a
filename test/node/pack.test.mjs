// `sam2-segmenter pack` (src/cli/pack.mjs, bin/sam2-segmenter.mjs), with node --test.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PART_SIZE, inspectOnnx, main, pack, parseArgs, parseSize } from '../../src/cli/pack.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GENERATED = join(ROOT, 'test', 'fixtures', 'generated');
const ENCODER = join(GENERATED, 'encoder.onnx');
const DECODER = join(GENERATED, 'decoder.onnx');
const BIN = join(ROOT, 'bin', 'sam2-segmenter.mjs');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
let work;
const fresh = (name) => join(work, name);

// --- a minimal ONNX protobuf writer, to make graphs with chosen inputs and external data --------
function varint(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
const bytesField = (field, bytes) => Buffer.concat([varint(field * 8 + 2), varint(bytes.length), Buffer.from(bytes)]);
const intField = (field, n) => Buffer.concat([varint(field * 8), varint(n)]);
function onnxModel({ inputs = ['image'], external = [] }) {
  const initializers = external.map((location, i) =>
    bytesField(5, Buffer.concat([bytesField(8, `w${i}`), bytesField(13, Buffer.concat([bytesField(1, 'location'), bytesField(2, location)])), intField(14, 1)])),
  );
  const graph = Buffer.concat([bytesField(2, 'g'), ...initializers, ...inputs.map((name) => bytesField(11, bytesField(1, name)))]);
  return Buffer.concat([intField(1, 8), bytesField(7, graph)]);
}

describe('sam2-segmenter pack', () => {
  before(() => {
    if (!existsSync(ENCODER)) execFileSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'build-fixtures.mjs')]);
    work = mkdtempSync(join(tmpdir(), 'sam2-pack-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('parses sizes with binary units', () => {
    assert.equal(parseSize('50MB'), 50 * 1024 * 1024);
    assert.equal(parseSize('50MiB'), 52428800);
    assert.equal(parseSize('512KB'), 524288);
    assert.equal(parseSize('1.5M'), 1572864);
    assert.equal(parseSize('1GB'), 1024 ** 3);
    assert.equal(parseSize('1000'), 1000);
    for (const bad of ['', 'MB', '-1MB', '10XB', '0']) assert.throws(() => parseSize(bad), /size/i, bad);
  });

  it('parses arguments and rejects bad ones', () => {
    const options = parseArgs(['e.onnx', 'd.onnx', '--out', 'o', '--part-size=20MB', '--name', 'n', '--external', 'decoder=x.onnx_data']);
    assert.deepEqual(options, {
      files: ['e.onnx', 'd.onnx'],
      out: 'o',
      partSize: 20 * 1024 * 1024,
      name: 'n',
      contract: null,
      external: [{ role: 'decoder', file: 'x.onnx_data' }],
    });
    assert.equal(parseArgs(['e', 'd', '--out', 'o']).partSize, DEFAULT_PART_SIZE);
    assert.throws(() => parseArgs(['e.onnx', '--out', 'o']), /two model files/);
    assert.throws(() => parseArgs(['e', 'd']), /--out/);
    assert.throws(() => parseArgs(['e', 'd', '--out']), /needs a value/);
    assert.throws(() => parseArgs(['e', 'd', '--out', 'o', '--contract', 'other']), /Unknown contract/);
    assert.throws(() => parseArgs(['e', 'd', '--out', 'o', '--frobnicate']), /Unknown option/);
  });

  it('splits files into parts under the limit whose concatenation is the original', async () => {
    const out = fresh('split');
    const manifest = await pack({ encoder: ENCODER, decoder: DECODER, out, partSize: 1000, name: 'split' });
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')), manifest);
    assert.equal(manifest.name, 'split');
    assert.equal(manifest.contract, 'samexporter');
    for (const [role, source] of [['encoder', ENCODER], ['decoder', DECODER]]) {
      const original = readFileSync(source);
      const file = manifest[role];
      assert.equal(file.bytes, original.length);
      assert.equal(file.sha256, sha256(original));
      assert.equal(file.parts.length, Math.ceil(original.length / 1000));
      const joined = Buffer.concat(
        file.parts.map((part, i) => {
          const bytes = readFileSync(join(out, part.url));
          assert.equal(part.url, `${role}.onnx.${String(i).padStart(3, '0')}`, 'URLs are relative to the manifest');
          assert.ok(part.bytes <= 1000 && part.bytes === bytes.length);
          assert.equal(part.sha256, sha256(bytes));
          return bytes;
        }),
      );
      assert.ok(joined.equals(original));
      assert.equal(file.externalData, undefined);
    }
  });

  it('keeps a file that fits in one part whole, under its own name', async () => {
    const out = fresh('whole');
    const manifest = await pack({ encoder: ENCODER, decoder: DECODER, out });
    assert.deepEqual(manifest.decoder.parts, [{ url: 'decoder.onnx', bytes: manifest.decoder.bytes, sha256: manifest.decoder.sha256 }]);
    assert.ok(readFileSync(join(out, 'decoder.onnx')).equals(readFileSync(DECODER)));
    assert.equal(manifest.name, 'whole', 'the name defaults to the output folder');
    // Packing in place rewrites nothing but the manifest.
    const again = await pack({ encoder: join(out, 'encoder.onnx'), decoder: join(out, 'decoder.onnx'), out });
    assert.deepEqual(again, manifest);
  });

  it('finds external data through the graph, ignoring stray .onnx_data siblings', async () => {
    const dir = fresh('external-src');
    const out = fresh('external-out');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'vision_encoder.onnx'), onnxModel({ inputs: ['pixel_values'], external: ['vision_encoder.onnx_data'] }));
    writeFileSync(join(dir, 'vision_encoder.onnx_data'), Buffer.alloc(2500, 7));
    // A self-contained decoder next to an unrelated data file of the usual sibling name.
    writeFileSync(join(dir, 'decoder.onnx'), onnxModel({ inputs: ['image_embeddings.0'] }));
    writeFileSync(join(dir, 'decoder.onnx_data'), Buffer.alloc(10));
    const manifest = await pack({ encoder: join(dir, 'vision_encoder.onnx'), decoder: join(dir, 'decoder.onnx'), out, partSize: 1024 });
    assert.equal(manifest.contract, 'onnx-community', 'detected from the encoder input pixel_values');
    const [data] = manifest.encoder.externalData;
    assert.equal(data.path, 'vision_encoder.onnx_data');
    assert.equal(data.bytes, 2500);
    assert.equal(data.sha256, sha256(Buffer.alloc(2500, 7)));
    assert.deepEqual(data.parts.map((p) => p.url), ['vision_encoder.onnx_data.000', 'vision_encoder.onnx_data.001', 'vision_encoder.onnx_data.002']);
    assert.equal(manifest.decoder.externalData, undefined);
    assert.ok(!readdirSync(out).includes('decoder.onnx_data'));
  });

  it('fails clearly when a graph names external data that is missing', async () => {
    const dir = fresh('missing-data');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'enc.onnx'), onnxModel({ external: ['enc.onnx_data'] }));
    copyFileSync(DECODER, join(dir, 'dec.onnx'));
    await assert.rejects(pack({ encoder: join(dir, 'enc.onnx'), decoder: join(dir, 'dec.onnx'), out: fresh('missing-out') }), /enc\.onnx_data/);
  });

  it('takes .ort files and --external for what cannot be read from them', async () => {
    const dir = fresh('ort');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'encoder.ort'), Buffer.from('ORTM flatbuffer stand-in'));
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(300, 1));
    writeFileSync(join(dir, 'decoder.ort'), Buffer.from('another'));
    writeFileSync(join(dir, 'decoder.ort_data'), Buffer.alloc(5, 2));
    const manifest = await pack({
      encoder: join(dir, 'encoder.ort'),
      decoder: join(dir, 'decoder.ort'),
      out: fresh('ort-out'),
      contract: 'samexporter',
      external: [{ role: 'encoder', file: join(dir, 'weights.bin') }],
    });
    assert.deepEqual(manifest.encoder.externalData.map((d) => [d.path, d.bytes]), [['weights.bin', 300]]);
    // An unreadable graph falls back to the <model>_data sibling.
    assert.deepEqual(manifest.decoder.externalData.map((d) => [d.path, d.bytes]), [['decoder.ort_data', 5]]);
    await assert.rejects(
      pack({ encoder: join(dir, 'encoder.ort'), decoder: join(dir, 'decoder.ort'), out: fresh('ort-out2'), external: [{ role: null, file: join(dir, 'weights.bin') }] }),
      /say whose it is/,
    );
  });

  it('reads graph inputs and external locations, and rejects what is not ONNX', () => {
    assert.deepEqual(inspectOnnx(onnxModel({ inputs: ['a', 'b'], external: ['x.bin', 'x.bin', 'y.bin'] })), { inputs: ['a', 'b'], external: ['x.bin', 'y.bin'] });
    assert.deepEqual(inspectOnnx(readFileSync(ENCODER)).inputs, ['image']);
    assert.equal(inspectOnnx(Buffer.from('not a model at all')), null);
    assert.equal(inspectOnnx(Buffer.alloc(0)), null);
  });

  it('refuses two files that would overwrite each other', async () => {
    const a = fresh('clash-a');
    const b = fresh('clash-b');
    execFileSync('mkdir', ['-p', a, b]);
    copyFileSync(ENCODER, join(a, 'model.onnx'));
    copyFileSync(DECODER, join(b, 'model.onnx'));
    await assert.rejects(pack({ encoder: join(a, 'model.onnx'), decoder: join(b, 'model.onnx'), out: fresh('clash-out') }), /Two files are named "model\.onnx"/);
  });

  it('runs as `npx sam2-segmenter pack` with exit codes and usage', () => {
    const out = fresh('cli');
    const run = (...args) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    const ok = run('pack', ENCODER, DECODER, '--out', out, '--part-size', '2KB', '--name', 'cli-test');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /decoder\s+decoder\.onnx\s+6\.6 KB in 4 part\(s\)/);
    assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).name, 'cli-test');
    const usage = run('pack');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /Usage: sam2-segmenter pack/);
    assert.equal(run('--help').status, 0);
    assert.equal(run('frobnicate').status, 2);
    const missing = run('pack', join(work, 'nope.onnx'), DECODER, '--out', out);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
  });

  it('main() reports to the streams it is given', async () => {
    let stdout = '';
    let stderr = '';
    const streams = { stdout: { write: (s) => (stdout += s) }, stderr: { write: (s) => (stderr += s) } };
    assert.equal(await main(['--help'], streams), 0);
    assert.match(stdout, /--part-size/);
    assert.equal(stderr, '');
  });
});
