/**
 * The worker's counters, read by the `stats` request (tests and the benchmark prove "no second
 * download", "the encoder did not run again" and "nothing leaked" with them).
 */
export const counters = {
  sessionsCreated: 0,
  modelsLoaded: 0,
  imagesEncoded: 0,
  embeddingCacheHits: 0,
  embeddingDiskHits: 0,
  encodesPreparedAhead: 0,
  decodes: 0,
  /** WebGPU: encodes whose embeddings stayed on the GPU for the decodes (no upload per click). */
  embeddingsKeptOnDevice: 0,
  /** WebGPU: embeddings uploaded to the GPU for a decode (an image answered from a cache). */
  embeddingUploads: 0,
  /** WebGPU: decoder runs made ahead of the first click to compile its shaders. */
  decoderWarmUps: 0,
  /** WebGPU: warm-ups not run because a decode came first (it compiled the shaders itself). */
  decoderWarmUpsSkipped: 0,
  /** WebGPU: `imagesEncoded` when the last decoder warm-up started. */
  encodesBeforeDecoderWarmUp: 0,
  /** WebGPU: embedding copy-downs that landed after their encode replied. */
  embeddingCopyDownsAfterReply: 0,
  /** WebGPU: embedding copy-downs that failed (the caches stay empty for that image). */
  embeddingCopyDownFailures: 0,
  /** WebGPU: encoder inputs resized + normalised on the GPU (gpu-preprocess.ts). */
  gpuPreprocessed: 0,
  /** WebGPU: images larger than a GPU texture may be, resized on the CPU instead. */
  gpuPreprocessFallbacks: 0,
  modelBytesFromNetwork: 0,
  modelBytesFromCache: 0,
  /** Cached model chunks that failed their checksum (dropped and fetched again, never used). */
  modelChunksRepaired: 0,
  /** Queued requests answered `aborted` without running (superseded in their lane, or cancelled). */
  requestsSuperseded: 0,
  /** Typed-array bytes the worker's messages copied (structured clone) instead of transferring. */
  bytesClonedToPage: 0,
};
