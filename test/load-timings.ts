/**
 * Consistency rules for `model-load`'s `timings` (ModelLoadTimings), against the wall time the
 * page measured from setting `model` (or inserting the element) to the event. Rules, not speeds.
 */
import { expect } from '@esm-bundle/chai';
import type { ModelLoadDetail } from '../src/events.js';

/** Float rounding between sums of performance.now() differences (ms). */
const ROUNDING = 1;
/** The page's and the worker's clocks are read at different moments of the same span (ms). */
const WALL_SLACK = 5;

export function checkLoadTimings(detail: ModelLoadDetail, wallMs: number) {
  const t = detail.timings;
  expect(Object.keys(t).sort()).to.deep.equal(['decoderSession', 'encoderSession', 'fetch', 'runtime', 'sessions', 'total']);
  for (const [name, value] of Object.entries(t)) {
    expect(Number.isFinite(value), `${name} is finite`).to.equal(true);
    expect(value, `${name} >= 0`).to.be.at.least(0);
  }
  expect(t.fetch + t.runtime + t.sessions, 'the phases follow one another inside total').to.be.at.most(t.total + ROUNDING);
  expect(t.encoderSession + t.decoderSession, 'both sessions inside sessions').to.be.at.most(t.sessions + ROUNDING);
  expect(t.total, 'the worker total is inside the page wall time').to.be.at.most(wallMs + WALL_SLACK);
}
