/**
 * The worker's one queue of work that must not overlap (onnxruntime sessions are not
 * re-entrant): queued requests (sam2.worker.ts) and the release of sessions nobody uses any
 * more (models.ts), so a session is never released under a run that is using it.
 */
let tail: Promise<void> = Promise.resolve();

/** Runs `step` after everything queued before it; a failing step does not stop the queue. */
export function serial(step: () => void | Promise<void>): Promise<void> {
  const run = tail.then(step);
  tail = run.catch(() => {});
  return run;
}

/** Encodes and decodes that arrived and are not answered yet (queued or running). */
let sessionWork = 0;

/** An encode or decode is waiting or running (the decoder warm-up yields to it, gpu-embeddings.ts). */
export const sessionWorkWaiting = (): boolean => sessionWork > 0;

/** Counts one encode or decode from its arrival; the returned function ends it (once). */
export function trackSessionWork(): () => void {
  sessionWork++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    sessionWork--;
  };
}
