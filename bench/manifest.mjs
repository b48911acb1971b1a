// Writes the model manifest the element loads (format: README "Model manifests"): each model file
// as ONE part with its size and SHA-256. Kept apart so the `pack` CLI can replace it later.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

async function sha256File(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

async function describe(dir, file) {
  const path = join(dir, file);
  const { size } = await stat(path);
  const sha256 = await sha256File(path);
  return { bytes: size, sha256, parts: [{ url: file, bytes: size, sha256 }] };
}

/**
 * Writes DIR/manifest.json for DIR/encoder.onnx + DIR/decoder.onnx unless an existing manifest
 * already describes files of the same sizes (the bench models are deterministic).
 * @returns {Promise<{path: string, written: boolean, manifest: object}>}
 */
export async function writeManifest(dir, { name = basename(dir), encoder = 'encoder.onnx', decoder = 'decoder.onnx' } = {}) {
  const path = join(dir, 'manifest.json');
  try {
    const existing = JSON.parse(await readFile(path, 'utf8'));
    const [e, d] = await Promise.all([stat(join(dir, encoder)), stat(join(dir, decoder))]);
    if (existing.encoder?.bytes === e.size && existing.decoder?.bytes === d.size && existing.encoder.parts?.[0]?.url === encoder) {
      return { path, written: false, manifest: existing };
    }
  } catch {
    /* missing or unreadable: write it */
  }
  const manifest = { name, contract: 'samexporter', encoder: await describe(dir, encoder), decoder: await describe(dir, decoder) };
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return { path, written: true, manifest };
}
