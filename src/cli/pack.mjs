// `sam2-segmenter pack`: splits model files into parts under a size limit (for hosts with a
// file-size cap, and so every part can be verified and cached on its own), computes SHA-256 per
// part and per file, and writes the manifest.json the element loads (docs/models.md).
// Plain Node ESM, no dependencies: it runs from `npx` without a build.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export const DEFAULT_PART_SIZE = 50 * 1024 * 1024;

const UNITS = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** '50MB' → 52428800. Units are binary (MB = MiB), like the sizes in the manifest examples. */
export function parseSize(text) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text));
  const unit = match && UNITS[match[2].toLowerCase()];
  if (!match || unit === undefined) throw new UsageError(`Not a size: "${text}" (try 50MB, 512KB or 1048576)`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new UsageError(`The part size must be at least 1 byte, not "${text}"`);
  return bytes;
}

export class UsageError extends Error {}

export const USAGE = `Usage: sam2-segmenter pack <encoder> <decoder> --out <dir> [options]

Splits SAM 2 model files (.onnx or .ort) into parts and writes <dir>/manifest.json.

  --out <dir>           where parts and manifest.json go (created if missing)
  --part-size <size>    largest part, e.g. 50MB (default), 20MB, 512KB (binary units)
  --name <name>         model name in the manifest (default: the --out folder's name)
  --contract <c>        samexporter | onnx-community (default: detected from the encoder's inputs)
  --external <file>     an external-data file (repeatable); "encoder=<file>" or "decoder=<file>"
                        says whose it is. Files the graphs refer to, and <model>.onnx_data
                        siblings, are found without this.`;

/** argv (after `pack`) → options. */
export function parseArgs(argv) {
  const options = { files: [], out: null, partSize: DEFAULT_PART_SIZE, name: null, contract: null, external: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--out': options.out = value(); break;
      case '--part-size': options.partSize = parseSize(value()); break;
      case '--name': options.name = value(); break;
      case '--contract': {
        options.contract = value();
        if (!['samexporter', 'onnx-community'].includes(options.contract)) throw new UsageError(`Unknown contract "${options.contract}"`);
        break;
      }
      case '--external': {
        const [, role, file] = /^(?:(encoder|decoder)=)?(.+)$/s.exec(value());
        options.external.push({ role: role ?? null, file });
        break;
      }
      case '--help': case '-h': throw new UsageError('');
      default:
        if (flag.startsWith('-')) throw new UsageError(`Unknown option ${flag}`);
        options.files.push(arg);
    }
  }
  if (options.files.length !== 2) throw new UsageError('Give exactly two model files: <encoder> <decoder>');
  if (!options.out) throw new UsageError('--out <dir> is required');
  return options;
}

// ---------------------------------------------------------------------------------------------
// Just enough ONNX protobuf reading to find a graph's inputs and its external-data files.

function readVarint(buf, pos) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    value += (byte & 0x7f) * scale;
    if (!(byte & 0x80)) return [value, pos];
    scale *= 128;
    if (scale > 2 ** 63) throw new Error('varint too long');
  }
}

/** Fields of one protobuf message: {field, wire, value} or {field, wire, start, end} for bytes. */
function* fields(buf, start = 0, end = buf.length) {
  let pos = start;
  while (pos < end) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      let value;
      [value, pos] = readVarint(buf, pos);
      yield { field, wire, value };
    } else if (wire === 2) {
      let length;
      [length, pos] = readVarint(buf, pos);
      if (pos + length > end) throw new Error('truncated field');
      yield { field, wire, start: pos, end: pos + length };
      pos += length;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  if (pos !== end) throw new Error('message overruns its length');
}

const text = (buf, f) => buf.toString('utf8', f.start, f.end);

/**
 * ModelProto.graph (7) → GraphProto.input (11) names and initializer (5) external_data (13)
 * locations. Returns null for anything that is not an ONNX protobuf (e.g. an .ort flatbuffer).
 */
export function inspectOnnx(buf) {
  try {
    let graph = null;
    let irVersion = false;
    for (const f of fields(buf)) {
      if (f.field === 1 && f.wire === 0) irVersion = true;
      if (f.field === 7 && f.wire === 2) graph = f;
    }
    if (!graph || !irVersion) return null;
    const inputs = [];
    const external = new Set();
    for (const f of fields(buf, graph.start, graph.end)) {
      if (f.field === 11 && f.wire === 2) {
        for (const g of fields(buf, f.start, f.end)) if (g.field === 1 && g.wire === 2) inputs.push(text(buf, g));
      } else if (f.field === 5 && f.wire === 2) {
        for (const g of fields(buf, f.start, f.end)) {
          if (g.field !== 13 || g.wire !== 2) continue;
          let key = null;
          let value = null;
          for (const h of fields(buf, g.start, g.end)) {
            if (h.field === 1 && h.wire === 2) key = text(buf, h);
            if (h.field === 2 && h.wire === 2) value = text(buf, h);
          }
          if (key === 'location' && value) external.add(value);
        }
      }
    }
    return { inputs, external: [...external] };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Splitting and hashing

/**
 * Streams `path` into `outDir` as parts of at most `partSize` bytes (`<name>.000`, `.001`, …,
 * or one file under its own name when it fits), hashing each part and the whole file.
 */
export async function packFile(path, outDir, partSize) {
  const name = basename(path);
  const { size } = await stat(path);
  const whole = createHash('sha256');
  const parts = [];
  if (size <= partSize) {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) whole.update(chunk);
    const target = join(outDir, name);
    if (resolve(target) !== resolve(path)) await copyFile(path, target);
    const sha256 = whole.digest('hex');
    return { bytes: size, sha256, parts: [{ url: name, bytes: size, sha256 }] };
  }
  const digits = Math.max(3, String(Math.ceil(size / partSize) - 1).length);
  let current = null;
  const finishPart = async () => {
    await current.handle.close();
    parts.push({ url: current.url, bytes: current.bytes, sha256: current.hash.digest('hex') });
    current = null;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    whole.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      if (!current) {
        const url = `${name}.${String(parts.length).padStart(digits, '0')}`;
        current = { url, bytes: 0, hash: createHash('sha256'), handle: await open(join(outDir, url), 'w') };
      }
      const take = Math.min(chunk.length - offset, partSize - current.bytes);
      const piece = chunk.subarray(offset, offset + take);
      await current.handle.write(piece);
      current.hash.update(piece);
      current.bytes += take;
      offset += take;
      if (current.bytes === partSize) await finishPart();
    }
  }
  if (current) await finishPart();
  return { bytes: size, sha256: whole.digest('hex'), parts };
}

/** Reads only what inspectOnnx needs: .ort files and huge files are not protobufs worth reading. */
async function inspectFile(path) {
  if (!/\.onnx$/i.test(path)) return null;
  return inspectOnnx(await readFile(path));
}

/** The external-data files of each model: what the graph names, siblings, and --external. */
async function findExternalData(models, explicit) {
  const found = new Map(models.map((m) => [m.role, new Map()]));
  const exists = (file) => stat(file).then((s) => s.isFile(), () => false);
  for (const model of models) {
    const named = model.info?.external ?? [];
    for (const location of named) {
      const file = join(dirname(model.path), location);
      if (!(await exists(file))) throw new UsageError(`${model.path} keeps weights in "${location}", which is not next to it (pass it with --external ${model.role}=<file>)`);
      found.get(model.role).set(location, file);
    }
    // A graph we could not read (e.g. .ort) may still have the usual sibling.
    const sibling = `${model.path}_data`;
    if (!model.info && (await exists(sibling))) found.get(model.role).set(basename(sibling), sibling);
  }
  for (const { role, file } of explicit) {
    if (!(await exists(file))) throw new UsageError(`--external ${file}: no such file`);
    const stem = (path) => basename(path).replace(/\.(onnx|ort)$/i, '');
    const owners = role ? models.filter((m) => m.role === role) : models.filter((m) => basename(file).startsWith(stem(m.path)));
    if (owners.length !== 1) throw new UsageError(`--external ${file}: say whose it is with encoder=${file} or decoder=${file}`);
    found.get(owners[0].role).set(basename(file), file);
  }
  return found;
}

/**
 * Packs an encoder and a decoder into `out`; returns the manifest (also written to
 * `out/manifest.json`).
 */
export async function pack({ encoder, decoder, out, partSize = DEFAULT_PART_SIZE, name = null, contract = null, external = [] }) {
  await mkdir(out, { recursive: true });
  const models = [];
  for (const [role, path] of [['encoder', encoder], ['decoder', decoder]]) {
    if (!(await stat(path).catch(() => null))?.isFile()) throw new UsageError(`${role}: no such file ${path}`);
    models.push({ role, path, info: await inspectFile(path) });
  }
  const externals = await findExternalData(models, external);
  const names = [...models.map((m) => basename(m.path)), ...[...externals.values()].flatMap((m) => [...m.keys()])];
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) throw new UsageError(`Two files are named "${clash}": they would overwrite each other in ${out}`);

  const detected = models[0].info?.inputs.includes('pixel_values') ? 'onnx-community' : 'samexporter';
  const manifest = { name: name ?? basename(resolve(out)), contract: contract ?? detected };
  for (const model of models) {
    const file = await packFile(model.path, out, partSize);
    const data = [...externals.get(model.role)];
    if (data.length) {
      file.externalData = [];
      for (const [location, path] of data) file.externalData.push({ path: location, ...(await packFile(path, out, partSize)) });
    }
    manifest[model.role] = file;
  }
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const human = (bytes) => (bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** The CLI: returns the exit code. */
export async function main(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    (error.message ? stderr : stdout).write(`${error.message ? `${error.message}\n\n` : ''}${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  try {
    const [encoder, decoder] = options.files;
    const manifest = await pack({ ...options, encoder, decoder });
    for (const role of ['encoder', 'decoder']) {
      const file = manifest[role];
      const all = [file, ...(file.externalData ?? [])];
      for (const f of all) stdout.write(`${role.padEnd(8)} ${f.parts[0].url.replace(/\.\d+$/, '').padEnd(40)} ${human(f.bytes).padStart(9)} in ${f.parts.length} part(s)\n`);
    }
    stdout.write(`contract ${manifest.contract}\nwrote ${join(options.out, 'manifest.json')}\n`);
    return 0;
  } catch (error) {
    stderr.write(`sam2-segmenter pack: ${error.message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
