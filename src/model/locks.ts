/**
 * Cross-tab coordination of downloads. Every tab of an origin has its own worker but they share
 * OPFS: a Web Lock per model entry makes one of them download while the others wait (and then
 * read the cache), and a BroadcastChannel lets the waiting tabs show the downloader's progress.
 */
import type { PhaseProgress } from './progress.js';

export const lockName = (entry: string) => `sam2-segmenter:model:${entry}`;
const channelName = (entry: string) => `sam2-segmenter:progress:${entry}`;

/**
 * Runs `task` holding the exclusive lock `name`. When another context holds it, `whileWaiting`
 * runs until the lock is ours (it returns its own stop function). Without Web Locks (very old
 * browsers) the task simply runs.
 */
export async function exclusive<T>(name: string, task: () => Promise<T>, whileWaiting?: () => () => void): Promise<T> {
  const locks = navigator.locks as LockManager | undefined;
  if (!locks) return task();
  const immediate = await locks.request(name, { ifAvailable: true }, async (lock) => (lock ? { value: await task() } : null));
  if (immediate) return immediate.value;
  let stop = whileWaiting?.();
  const stopOnce = () => {
    stop?.();
    stop = undefined;
  };
  try {
    return await locks.request(name, async () => {
      stopOnce();
      return task();
    });
  } finally {
    stopOnce();
  }
}

/** Runs `task` only if nobody holds `name` right now; false when skipped. */
export async function ifAvailable(name: string, task: () => Promise<void>): Promise<boolean> {
  const locks = navigator.locks as LockManager | undefined;
  if (!locks) {
    await task();
    return true;
  }
  return locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return false;
    await task();
    return true;
  });
}

/** The downloader's side: publishes progress for tabs waiting on the same model. */
export function progressPublisher(entry: string): { post(detail: PhaseProgress): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, close() {} };
  let channel: BroadcastChannel | null = new BroadcastChannel(channelName(entry));
  return {
    post: (detail) => channel?.postMessage(detail),
    close: () => {
      channel?.close();
      channel = null;
    },
  };
}

/** A waiting tab's side: relays the downloader's progress until stopped. */
export function relayProgress(entry: string, emit: (detail: PhaseProgress) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const channel = new BroadcastChannel(channelName(entry));
  channel.onmessage = (event: MessageEvent<PhaseProgress>) => emit(event.data);
  return () => channel.close();
}
