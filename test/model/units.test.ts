import { expect } from '@esm-bundle/chai';
import type { ProgressDetail } from '../../src/events.js';
import { FetchFailure } from '../../src/model/http.js';
import { resolveManifest } from '../../src/model/manifest.js';
import { MemoryStore } from '../../src/model/memory-store.js';
import { withQuotaFault } from '../../src/model/chunk-store.js';
import { entryName } from '../../src/model/model-cache.js';
import { JobProgress, ProgressMeter, type PhaseProgress } from '../../src/model/progress.js';
import { Pool, allOrAbort, retrying } from '../../src/model/schedule.js';

describe('model delivery: pure parts', () => {
  it('progress credits each chunk once, waits for every total, and only moves forward', () => {
    const events: PhaseProgress[] = [];
    const meter = new ProgressMeter(['encoder', 'decoder'], (d) => events.push(d), 0);
    meter.credit('encoder', 'e~r0-100', 100); // cached: counted before any total is known
    meter.setTotal('encoder', 300);
    expect(events).to.deep.equal([]); // the decoder's total is still unknown
    meter.setTotal('decoder', 100);
    expect(events.at(-1)).to.deep.equal({ phase: 'download', loaded: 100, total: 400, fraction: 0.25 });
    meter.credit('encoder', 'e~r100-200', 60);
    meter.credit('encoder', 'e~r100-200', 30); // a retry of that range: nothing new
    meter.credit('encoder', 'e~r100-200', 100);
    expect(meter.loaded).to.equal(200);
    meter.credit('decoder', 'd~r0-100', 100);
    meter.credit('encoder', 'e~r200-300', 100);
    // Everything in, but not yet verified: below 1 until finish().
    expect(events.at(-1)!.fraction).to.be.below(1);
    meter.finish();
    expect(events.at(-1)).to.deep.equal({ phase: 'download', loaded: 400, total: 400, fraction: 1 });
    events.forEach((e, i) => i && expect(e.fraction).to.be.at.least(events[i - 1].fraction));
  });

  it('progress reports every completed chunk, however short the interval since the last event', () => {
    const events: PhaseProgress[] = [];
    // An interval no test can reach: only the rule (a completed chunk is reported) emits.
    const meter = new ProgressMeter(['encoder'], (d) => events.push(d), Number.POSITIVE_INFINITY);
    meter.setTotal('encoder', 300);
    const start = events.length;
    meter.credit('encoder', 'e~r0-100', 40, 100); // partial: throttled
    expect(events.length).to.equal(start);
    meter.credit('encoder', 'e~r0-100', 100, 100);
    meter.credit('encoder', 'e~r100-200', 100, 100);
    meter.credit('encoder', 'e~r200-300', 100, 100);
    expect(events.slice(start).map((e) => e.loaded)).to.deep.equal([100, 200, 300]);
    expect(events.at(-1)!.fraction).to.be.below(1); // not verified yet
  });

  it('a job\'s fraction spans its phases, never decreases, and fits a repeated phase into what is left', () => {
    const events: ProgressDetail[] = [];
    const job = new JobProgress((d) => events.push(d));
    const download = job.phase('download', 0.8);
    download({ phase: 'download', loaded: 50, total: 100, fraction: 0.5 });
    expect(events.at(-1)).to.deep.equal({ phase: 'download', loaded: 50, total: 100, fraction: 0.4, phaseFraction: 0.5 });
    download({ phase: 'download', loaded: 100, total: 100, fraction: 1 });
    expect(events.at(-1)!.fraction).to.be.closeTo(0.8, 1e-9);
    // Compile takes the rest: its 0 is where the download ended, not 0.
    const compile = job.phase('compile', 1);
    compile({ phase: 'compile', loaded: 0, total: 2, fraction: 0 });
    expect(events.at(-1)).to.include({ phase: 'compile', phaseFraction: 0 });
    expect(events.at(-1)!.fraction).to.be.closeTo(0.8, 1e-9);
    compile({ phase: 'compile', loaded: 1, total: 2, fraction: 0.5 });
    expect(events.at(-1)!.fraction).to.be.closeTo(0.9, 1e-9);
    // A cached model refused: downloaded once more, in what remains of the bar.
    const again = job.phase('download', 0.8);
    again({ phase: 'download', loaded: 0, total: 100, fraction: 0 });
    expect(events.at(-1)!.fraction).to.be.closeTo(0.9, 1e-9);
    again({ phase: 'download', loaded: 100, total: 100, fraction: 1 });
    expect(events.at(-1)!.fraction).to.be.closeTo(0.98, 1e-9);
    // A late report of the old phase moves nothing.
    compile({ phase: 'compile', loaded: 2, total: 2, fraction: 1 });
    expect(events.at(-1)!.phase).to.equal('download');
    const recompile = job.phase('compile', 1);
    recompile({ phase: 'compile', loaded: 2, total: 2, fraction: 1 });
    expect(events.at(-1)).to.include({ phase: 'compile', fraction: 1, phaseFraction: 1 });
    events.forEach((e, i) => i && expect(e.fraction).to.be.at.least(events[i - 1].fraction));
    // finish() adds nothing to a job already at 1, and ends one that is not.
    job.finish({ phase: 'compile', loaded: 2, total: 2, fraction: 1 });
    expect(events).to.have.length(7);
    const encode = new JobProgress((d) => events.push(d));
    encode.finish({ phase: 'encode', loaded: 1, total: 1, fraction: 1 });
    expect(events.at(-1)).to.deep.equal({ phase: 'encode', loaded: 1, total: 1, fraction: 1, phaseFraction: 1 });
  });

  it('an unknown total counts what arrived and keeps the fraction below 1', () => {
    const events: PhaseProgress[] = [];
    const meter = new ProgressMeter(['a'], (d) => events.push(d), 0);
    meter.setTotal('a', null);
    meter.credit('a', 'a~r0-10', 10);
    expect(events.at(-1)).to.include({ loaded: 10, total: 10 });
    expect(events.at(-1)!.fraction).to.equal(0.99);
  });

  it('the pool runs at most N tasks at once, in order', async () => {
    const pool = new Pool(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        pool.run(async () => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          await new Promise((r) => setTimeout(r, 10));
          running--;
        }),
      ),
    );
    expect(peak).to.equal(2);
    expect(order).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('allOrAbort aborts the rest on the first failure and reports it, not the AbortErrors', async () => {
    const controller = new AbortController();
    const waiting = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(new DOMException('stopped', 'AbortError'))),
    );
    const failing = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the real cause')), 5));
    const error = await allOrAbort(controller, [waiting, failing]).catch((e) => e);
    expect(controller.signal.aborted).to.equal(true);
    expect(error.message).to.equal('the real cause');
  });

  it('retries only what may succeed again', async () => {
    const signal = new AbortController().signal;
    let calls = 0;
    const flaky = () => {
      calls++;
      if (calls < 3) throw new FetchFailure('cut', true);
      return Promise.resolve('ok');
    };
    expect(await retrying(3, signal, async () => flaky())).to.equal('ok');
    expect(calls).to.equal(3);
    calls = 0;
    const permanent = await retrying(3, signal, async () => {
      calls++;
      throw new FetchFailure('HTTP 404', false);
    }).catch((e) => e);
    expect(permanent.message).to.equal('HTTP 404');
    expect(calls).to.equal(1);
  });

  it('the model identity covers external data and not the download options', () => {
    const base = {
      name: 'm',
      encoder: { parts: [{ url: 'e.onnx' }], externalData: [{ path: 'e.onnx_data', parts: [{ url: 'e.onnx_data' }] }] },
      decoder: { parts: [{ url: 'd.onnx' }] },
    };
    const key = resolveManifest(base, 'https://x.test/a/').key;
    const otherData = structuredClone(base);
    otherData.encoder.externalData[0].parts[0].url = 'e2.onnx_data';
    expect(resolveManifest(otherData, 'https://x.test/a/').key).to.not.equal(key);
    expect(resolveManifest({ ...base, download: { rangeSize: 512 } }, 'https://x.test/a/').key).to.equal(key);
    expect(resolveManifest(base, 'https://x.test/b/').key).to.not.equal(key);
    expect(entryName('a/b:c@0123')).to.equal('a_b_c@0123');
  });

  it('the quota fault lets N writes through, then throws QuotaExceededError', async () => {
    const store = withQuotaFault(new MemoryStore(), 1);
    await store.write('e', 'a', new Uint8Array(3));
    const error = await store.write('e', 'b', new Uint8Array(3)).catch((e) => e);
    expect(error.name).to.equal('QuotaExceededError');
    expect([...(await store.list('e')).keys()]).to.deep.equal(['a']);
  });
});
