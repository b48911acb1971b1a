import { Sam2Error } from '../errors.js';
import { sha256Hex } from './integrity.js';
import type { ManifestFile, ManifestPart } from './manifest.js';

export type ByteListener = (newBytes: number) => void;

/**
 * Downloads one model file (all its parts, in order) into a single buffer, verifying each part's
 * size and SHA-256 and the whole file's size (and hash when the manifest has one).
 * Never trusts Content-Length: responses may be compressed or lie, so bytes are counted as read.
 */
export async function fetchModelFile(
  file: ManifestFile,
  onBytes: ByteListener,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const declared = file.bytes > 0 ? file.bytes : 0;
  const chunks: Uint8Array[] = [];
  for (const part of file.parts) chunks.push(await fetchPart(part, onBytes, signal));
  const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  if (declared && total !== declared) {
    throw new Sam2Error('model-integrity', `Model file is ${total} bytes, the manifest says ${declared}`);
  }
  const bytes = chunks.length === 1 ? chunks[0] : concat(chunks, total);
  if (file.sha256 && file.parts.length > 1 && (await sha256Hex(bytes)) !== file.sha256.toLowerCase()) {
    throw new Sam2Error('model-integrity', 'Model file does not match its SHA-256 in the manifest');
  }
  return bytes;
}

async function fetchPart(part: ManifestPart, onBytes: ByteListener, signal?: AbortSignal): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(part.url, { signal, credentials: 'same-origin' });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new Sam2Error('model-fetch-failed', `Could not download ${part.url}`, { cause });
  }
  if (!response.ok || !response.body) {
    throw new Sam2Error('model-fetch-failed', `Downloading ${part.url} failed: HTTP ${response.status}`);
  }
  const bytes = await readBody(response.body, part.bytes, onBytes, part.url);
  if (part.bytes !== undefined && bytes.byteLength !== part.bytes) {
    throw new Sam2Error('model-integrity', `${part.url} is ${bytes.byteLength} bytes, the manifest says ${part.bytes}`);
  }
  if (part.sha256 && (await sha256Hex(bytes)) !== part.sha256.toLowerCase()) {
    throw new Sam2Error('model-integrity', `${part.url} does not match its SHA-256 in the manifest`);
  }
  return bytes;
}

/** Streams a body into one buffer, preallocated from the manifest size when known. */
async function readBody(body: ReadableStream<Uint8Array>, expected: number | undefined, onBytes: ByteListener, url: string) {
  const reader = body.getReader();
  let buffer = new Uint8Array(expected && expected > 0 ? expected : 1 << 20);
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.max(buffer.byteLength * 2, length + value.byteLength));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(value, length);
      length += value.byteLength;
      onBytes(value.byteLength);
    }
  } catch (cause) {
    throw new Sam2Error('model-fetch-failed', `The download of ${url} was interrupted`, { cause });
  }
  return length === buffer.byteLength ? buffer : buffer.slice(0, length);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
