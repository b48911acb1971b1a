import { expect } from '@esm-bundle/chai';
import type * as ort from 'onnxruntime-web/wasm';
import { MemoryStore } from '../../src/model/memory-store.js';
import type { Embeddings } from '../../src/worker/contracts.js';
import { EmbeddingStore } from '../../src/worker/embedding-store.js';

/** Stands in for ort.Tensor: the store only reads type, dims and data. */
class FakeTensor {
  constructor(
    readonly type: ort.Tensor.Type,
    readonly data: ort.Tensor.DataType,
    readonly dims: readonly number[],
  ) {}
}

const settle = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

/** Three small feature maps whose values identify the image they belong to. */
function embeddings(seed: number): Embeddings {
  const map = (n: number, dims: number[]) => new FakeTensor('float32', Float32Array.from({ length: n }, (_, i) => seed * 1000 + i), dims);
  return [map(8, [1, 2, 2, 2]), map(4, [1, 1, 2, 2]), map(16, [1, 4, 2, 2])] as unknown as Embeddings;
}

function newStore(capacity = 16) {
  const memory = new MemoryStore();
  const store = new EmbeddingStore(FakeTensor as unknown as ConstructorParameters<typeof EmbeddingStore>[0], async () => memory, capacity);
  return { memory, store };
}

describe('worker/embedding-store', () => {
  it('round-trips three tensors with their types, dims and values, keyed by model and image', async () => {
    const { store } = newStore();
    await store.put('model-a', 'bytes:1:aa', { width: 640, height: 480, embeddings: embeddings(1) });
    const back = await store.get('model-a', 'bytes:1:aa');
    expect(back).to.not.equal(null);
    expect(back!.width).to.equal(640);
    expect(back!.height).to.equal(480);
    back!.embeddings.forEach((tensor, i) => {
      const original = embeddings(1)[i];
      expect(tensor.type).to.equal('float32');
      expect([...tensor.dims]).to.deep.equal([...original.dims]);
      expect(Array.from(tensor.data as Float32Array)).to.deep.equal(Array.from(original.data as Float32Array));
    });
    // Another model, or other bytes, is another entry.
    expect(await store.get('model-b', 'bytes:1:aa')).to.equal(null);
    expect(await store.get('model-a', 'bytes:1:ab')).to.equal(null);
  });

  it('never uses an entry without its meta chunk, or whose chunk sizes disagree with it', async () => {
    const { memory, store } = newStore();
    await store.put('m', 'img', { width: 2, height: 2, embeddings: embeddings(2) });
    const [entry] = await memory.entries();
    // Half-written: the meta chunk (written last) is missing.
    const meta = await memory.read(entry, 'meta');
    await memory.remove(entry, 'meta');
    expect(await store.get('m', 'img')).to.equal(null);
    // Truncated tensor chunk: dropped, not returned.
    await memory.write(entry, 'meta', meta);
    await memory.write(entry, 't2', new Uint8Array(8));
    expect(await store.get('m', 'img')).to.equal(null);
    expect(await memory.entries()).to.deep.equal([]);
  });

  it('keeps the most recently used entries up to its capacity', async () => {
    const { memory, store } = newStore(2);
    await store.put('m', 'one', { width: 1, height: 1, embeddings: embeddings(1) });
    await settle();
    await store.put('m', 'two', { width: 1, height: 1, embeddings: embeddings(2) });
    await settle();
    // Reading 'one' makes it the most recent: 'two' is the one to go.
    expect(await store.get('m', 'one')).to.not.equal(null);
    await settle();
    await store.put('m', 'three', { width: 1, height: 1, embeddings: embeddings(3) });
    expect((await memory.entries()).length).to.equal(2);
    expect(await store.get('m', 'one')).to.not.equal(null);
    expect(await store.get('m', 'two')).to.equal(null);
    expect(await store.get('m', 'three')).to.not.equal(null);
  });

  it('clear() removes the entries of the given models, or all', async () => {
    const { memory, store } = newStore();
    await store.put('a', 'x', { width: 1, height: 1, embeddings: embeddings(1) });
    await store.put('b', 'x', { width: 1, height: 1, embeddings: embeddings(2) });
    await store.clear(['a']);
    expect(await store.get('a', 'x')).to.equal(null);
    expect(await store.get('b', 'x')).to.not.equal(null);
    await store.clear();
    expect(await memory.entries()).to.deep.equal([]);
  });

  it('without a usable store (no OPFS) it stores and finds nothing, without throwing', async () => {
    const store = new EmbeddingStore(FakeTensor as unknown as ConstructorParameters<typeof EmbeddingStore>[0], async () => {
      throw new DOMException('no OPFS', 'SecurityError');
    });
    await store.put('m', 'img', { width: 1, height: 1, embeddings: embeddings(1) });
    expect(await store.get('m', 'img')).to.equal(null);
  });
});
