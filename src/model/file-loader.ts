/**
 * Gets one model file (a graph or its external data) into memory. An unsplit file is one unit
 * (url-loader.ts); a packed file is one unit per manifest part, loaded side by side into their
 * slots of one buffer, each checked against its own hash, then the file's size and hash.
 */
import { Sam2Error } from '../errors.js';
import { sha256Hex } from './integrity.js';
import type { ManifestPart } from './manifest.js';
import { allOrAbort } from './schedule.js';
import { StartOver, chunkName, forgetUnit, loadUnit, type LoadContext, type TransferStats } from './url-loader.js';

/** One file to load, as the manifest describes it. */
export interface ModelFile {
  /** Unique within the model, without '~'; prefixes the file's chunk names in the cache entry. */
  id: string;
  bytes?: number;
  sha256?: string;
  parts: ManifestPart[];
}

export interface LoadedFile extends TransferStats {
  bytes: Uint8Array;
}

export async function loadFile(file: ModelFile, ctx: LoadContext): Promise<LoadedFile> {
  const stats: TransferStats = { fromNetwork: 0, fromCache: 0, repairedChunks: 0 };
  if (file.parts.length === 1) {
    const [part] = file.parts;
    const bytes = await loadUnit(
      {
        id: file.id,
        fileId: file.id,
        url: part.url,
        bytes: file.bytes ?? part.bytes,
        // An unsplit file may carry its hash twice (file and part): the bytes must match both.
        sha256: [...new Set([file.sha256, part.sha256].filter((h): h is string => !!h))],
      },
      ctx,
      stats,
      (size) => ctx.meter.setTotal(file.id, size),
    );
    return { bytes, ...stats };
  }
  for (let round = 0; ; round++) {
    try {
      return { bytes: await loadParts(file, ctx, stats), ...stats };
    } catch (error) {
      if (!(error instanceof StartOver)) throw error;
      for (const i of file.parts.keys()) await forgetUnit(partId(file, i), ctx.entry);
      await ctx.entry.remove(chunkName(file.id, 'meta'));
      if (round >= 1 || ctx.signal.aborted) throw error.reason;
    }
  }
}

const partId = (file: ModelFile, index: number) => `${file.id}.p${index}`;

async function loadParts(file: ModelFile, ctx: LoadContext, stats: TransferStats): Promise<Uint8Array> {
  const sizes = file.parts.map((part) => part.bytes);
  const known = sizes.every((size) => size !== undefined);
  const offsets: number[] = [];
  sizes.forEach((_, i) => offsets.push(i ? offsets[i - 1] + (sizes[i - 1] ?? 0) : 0));
  const buffer = known ? new Uint8Array(offsets[offsets.length - 1] + sizes[sizes.length - 1]!) : null;

  // The file's total is announced once every part knows its size (and has counted its cached
  // chunks): one progress total for the whole file.
  const partSizes: Array<number | null | undefined> = file.parts.map(() => undefined);
  const onSize = (i: number) => (size: number | null) => {
    partSizes[i] = size;
    if (partSizes.every((s) => s !== undefined)) {
      ctx.meter.setTotal(file.id, partSizes.every((s) => s !== null) ? partSizes.reduce<number>((sum, s) => sum + s!, 0) : (file.bytes ?? null));
    }
  };
  const controller = new AbortController();
  const parts = { ...ctx, signal: AbortSignal.any([ctx.signal, controller.signal]) };
  const pieces = await allOrAbort(
    controller,
    file.parts.map((part, i) =>
      loadUnit(
        {
          id: partId(file, i),
          fileId: file.id,
          url: part.url,
          bytes: part.bytes,
          sha256: part.sha256 ? [part.sha256] : [],
          target: buffer?.subarray(offsets[i], offsets[i] + sizes[i]!),
        },
        parts,
        stats,
        onSize(i),
      ),
    ),
  );
  const bytes = buffer ?? concat(pieces);

  if (file.bytes !== undefined && bytes.byteLength !== file.bytes) {
    throw new StartOver(new Sam2Error('model-integrity', `${file.parts[0].url}… is ${bytes.byteLength} bytes in all, the manifest says ${file.bytes}`));
  }
  // Every part already passed its own hash: hashing the whole file again proves nothing new.
  if (file.sha256 && !file.parts.every((part) => part.sha256)) {
    const metaName = chunkName(file.id, 'meta');
    const meta = await ctx.entry.readJson<{ verified?: boolean }>(metaName);
    // A part repaired from the network since the file was verified: verify it again.
    if (!meta?.verified || stats.repairedChunks > 0) {
      if ((await sha256Hex(bytes)) !== file.sha256.toLowerCase()) {
        throw new StartOver(new Sam2Error('model-integrity', `${file.parts[0].url}… (all parts) does not match the file's SHA-256 in the manifest`));
      }
      await ctx.entry.writeJson(metaName, { verified: true });
    }
  }
  return bytes;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
