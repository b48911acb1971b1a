// EXPR for `gpu.sh page /gpu/blank.html @bench/gpu/placement.js 200`: runs placement.worker.mjs
// (threads = the machine's cores, up to 16) and returns its result.
(async () => {
  const threads = Math.min(16, navigator.hardwareConcurrency);
  const worker = new Worker('/bench/gpu/placement.worker.mjs', { type: 'module' });
  return await new Promise((resolve) => {
    worker.onerror = (e) => resolve({ fatal: String(e.message) });
    worker.onmessage = ({ data }) => {
      if (data.log) return console.log(data.log);
      resolve(data.ok ? data.result : { fatal: data.error });
    };
    worker.postMessage({ threads, runs: 7, gapMs: 700, decRuns: 20 });
  });
})()
