/**
 * Hashes for two jobs: checking downloads against the manifest's SHA-256 (hex), and the
 * checksum every persistent store keeps beside each chunk it writes, so that a chunk read back
 * is exactly the chunk written (a disk, an extension or a person can change bytes in OPFS or
 * IndexedDB; onnxruntime happily loads a model whose constants were zeroed).
 *
 * WebCrypto's digest runs off the JavaScript thread (Chromium and Firefox hash on a worker
 * pool), so hashing chunk k overlaps reading chunk k + 1; with SHA-NI it is ~1-2 GB/s.
 */

/** Bytes of a chunk checksum (SHA-256). */
export const CHECKSUM_BYTES = 32;

/** SHA-256 of bytes as lowercase hex (WebCrypto, available in workers and secure contexts). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await checksum(bytes));
}

/** The raw 32-byte SHA-256 of bytes: what a store writes beside a chunk. */
export async function checksum(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A chunk whose bytes differ from what was written: the store never hands it out. */
export class CorruptChunkError extends Error {
  override readonly name = 'CorruptChunkError';
}

/** Throws CorruptChunkError unless `bytes` hash to `expected`. */
export async function verifyChecksum(bytes: Uint8Array, expected: Uint8Array, what: string): Promise<void> {
  const actual = await checksum(bytes);
  if (expected.byteLength !== CHECKSUM_BYTES || actual.some((b, i) => b !== expected[i])) {
    throw new CorruptChunkError(`${what} does not match the checksum stored when it was written`);
  }
}
