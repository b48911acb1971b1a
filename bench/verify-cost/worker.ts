// Runs in a dedicated worker (sync access handles): the warm-path cost of checking every cached
// chunk against its stored SHA-256, with the real OPFS store, on model-sized data.
import { checksum } from '../../src/model/integrity.js';
import { OpfsStore } from '../../src/model/opfs-store.js';
import { Pool } from '../../src/model/schedule.js';

const MiB = 2 ** 20;
const ROOT = 'sam2-bench-verify';

interface Handle {
  read(b: Uint8Array, o: { at: number }): number;
  getSize(): number;
  close(): void;
}

self.onmessage = async (event: MessageEvent<{ bytes: number; chunk: number; rounds: number }>) => {
  const { bytes, chunk, rounds } = event.data;
  const store = await OpfsStore.open(ROOT);
  const names: string[] = [];
  const sizes: number[] = [];
  for (let at = 0, i = 0; at < bytes; at += chunk, i++) {
    const size = Math.min(chunk, bytes - at);
    const data = new Uint8Array(size);
    for (let j = 0; j < size; j += 4096) data[j] = (i * 131 + j) & 0xff;
    await store.write('model', `c${i}`, data);
    names.push(`c${i}`);
    sizes.push(size);
  }
  const target = new Uint8Array(bytes);
  const offsets = sizes.map((_, i) => i * chunk);
  const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT)).getDirectoryHandle('model');

  /** As the loader reads: 3 chunks in flight, each into its slot of one buffer. */
  const verified = async () => {
    const pool = new Pool(3);
    await Promise.all(names.map((name, i) => pool.run(() => store.read('model', name, target.subarray(offsets[i], offsets[i] + sizes[i])))));
  };
  /** The same reads without the checksum (what a read cost before). */
  const raw = async () => {
    const pool = new Pool(3);
    await Promise.all(
      names.map((name, i) =>
        pool.run(async () => {
          const file = (await dir.getFileHandle(name)) as unknown as { createSyncAccessHandle(o: { mode: string }): Promise<Handle> };
          const handle = await file.createSyncAccessHandle({ mode: 'read-only' });
          try {
            handle.read(target.subarray(offsets[i], offsets[i] + sizes[i]), { at: 0 });
          } finally {
            handle.close();
          }
        }),
      ),
    );
  };
  const digestOnly = async () => {
    await Promise.all(names.map((_, i) => checksum(target.subarray(offsets[i], offsets[i] + sizes[i]))));
  };
  const time = async (task: () => Promise<void>) => {
    const t0 = performance.now();
    await task();
    return performance.now() - t0;
  };
  const results: Record<string, number[]> = { raw: [], verified: [], digestOnly: [] };
  for (let r = 0; r < rounds; r++) {
    results.raw.push(await time(raw));
    results.verified.push(await time(verified));
    results.digestOnly.push(await time(digestOnly));
  }
  await (await navigator.storage.getDirectory()).removeEntry(ROOT, { recursive: true });
  self.postMessage({ bytes, chunk, results });
};
