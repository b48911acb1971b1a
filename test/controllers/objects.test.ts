import { expect } from '@esm-bundle/chai';
import { ChangeQueue } from '../../src/controllers/change-queue.js';
import { DecodeLane } from '../../src/controllers/decode-lane.js';
import { ObjectSet } from '../../src/controllers/objects.js';
import * as changes from '../../src/controllers/prompt-changes.js';
import { Sam2Error } from '../../src/errors.js';

const tick = () => new Promise((resolve) => setTimeout(resolve));

describe('objects, decode lanes and the change queue', () => {
  it('DecodeLane: 200 requests in a burst run twice (the first and the newest); the rest resolve null', async () => {
    const lane = new DecodeLane<number>();
    const runs: number[] = [];
    const gates: Array<() => void> = [];
    let state = 0;
    const job = () =>
      lane.schedule(async (_signal, isCurrent) => {
        const seen = state; // a job reads the state when it starts
        runs.push(seen);
        await new Promise<void>((resolve) => gates.push(resolve));
        return isCurrent() ? seen : null;
      });
    const results: Array<Promise<number | null>> = [];
    for (let i = 1; i <= 200; i++) {
      state = i;
      results.push(job());
    }
    expect(runs).to.deep.equal([1]);
    gates.shift()!();
    await tick();
    expect(runs).to.deep.equal([1, 200]);
    gates.shift()!();
    const settled = await Promise.all(results);
    expect(settled.slice(0, 199).every((r) => r === null)).to.equal(true);
    expect(settled[199]).to.equal(200);
    expect(lane.busy).to.equal(false);
  });

  it('DecodeLane: cancel settles what is in flight and waiting (null, or the error given), and nothing is delivered later', async () => {
    const lane = new DecodeLane<string>();
    let release!: () => void;
    let aborted = false;
    const first = lane.schedule(async (signal, isCurrent) => {
      signal.addEventListener('abort', () => (aborted = true));
      await new Promise<void>((resolve) => (release = resolve));
      return isCurrent() ? 'first' : null;
    });
    const second = lane.schedule(async () => 'second');
    lane.cancel(new Sam2Error('aborted', 'removed'));
    expect(aborted).to.equal(true);
    const [a, b] = await Promise.allSettled([first, second]);
    expect(a.status === 'rejected' && (a.reason as Sam2Error).code).to.equal('aborted');
    expect(b.status === 'rejected' && (b.reason as Sam2Error).code).to.equal('aborted');
    release();
    await tick();
    // A new request after the cancel runs at once (nothing is left in flight).
    expect(await lane.schedule(async () => 'third')).to.equal('third');
  });

  it('DecodeLane: a failure of the newest request rejects its callers; of an overtaken one, is dropped', async () => {
    const lane = new DecodeLane<string>();
    let fail!: () => void;
    const overtaken = lane.schedule(() => new Promise((_, reject) => (fail = () => reject(new Error('old')))));
    const newest = lane.schedule(async () => {
      throw new Sam2Error('decode-failed', 'new');
    });
    fail();
    expect(await overtaken).to.equal(null);
    const error = await newest.catch((e: Sam2Error) => e);
    expect((error as Sam2Error).code).to.equal('decode-failed');
  });

  it('ObjectSet: ids 1, 2, 3 never reused; removing the active activates the highest; removing the last leaves a new one', () => {
    const objects = new ObjectSet();
    expect(objects.all.map((o) => o.id)).to.deep.equal([1]);
    expect(objects.add().id).to.equal(2);
    expect(objects.add().id).to.equal(3);
    expect(objects.active.id).to.equal(3);
    expect(objects.activate(1)).to.equal(true);
    expect(objects.activate(1)).to.equal(false); // already active: no change
    expect(objects.activate(9)).to.equal(false); // unknown: no change
    expect(objects.active.id).to.equal(1);
    objects.remove(1);
    expect(objects.active.id).to.equal(3);
    objects.remove(3);
    objects.remove(2);
    expect(objects.all.map((o) => o.id)).to.deep.equal([4]);
    expect(objects.active.id).to.equal(4);
    expect(objects.remove(42)).to.equal(null);
    objects.reset();
    expect(objects.all.map((o) => o.id)).to.deep.equal([1]);
    expect(objects.add().id).to.equal(2);
  });

  it('ChangeQueue: changes are drawn as pending, checked against the size when applied, and taken back newest first', async () => {
    const queue = new ChangeQueue();
    const settled: Array<string> = [];
    const waiter = (name: string) => ({ resolve: (v: unknown) => settled.push(`${name}:${v}`), reject: (e: Sam2Error) => settled.push(`${name}:${e.code}`) });
    const applied = { points: [{ x: 1, y: 1, label: 1 as const }], box: null };
    queue.push({ ...changes.addPoint({ x: 50, y: 40, label: 1 }, 'api'), objectId: 1, waiter: waiter('a') });
    queue.push({ ...changes.setBox({ x1: 0, y1: 0, x2: 90, y2: 60 }, 'api'), objectId: 1, waiter: waiter('b') });
    queue.push({ ...changes.addPoint({ x: 500, y: 40, label: 0 }, 'api'), objectId: 2, waiter: waiter('c') });
    const drawn = queue.split(1, applied);
    expect(drawn.applied.points).to.deep.equal(applied.points);
    expect(drawn.pending.points).to.deep.equal([{ x: 50, y: 40, label: 1 }]);
    expect(drawn.pending.box).to.deep.equal({ x1: 0, y1: 0, x2: 90, y2: 60 });
    expect(queue.dropLast(1)).to.equal(true); // takes back the box
    expect(settled).to.deep.equal(['b:null']);
    const [a, c] = queue.takeAll();
    // Checked against the 100x80 image now: (500, 40) is outside, (50, 40) fits.
    expect(a.apply(applied, { width: 100, height: 80 })!.points).to.have.length(2);
    expect(() => c.apply(applied, { width: 100, height: 80 })).to.throw(/outside the 100x80 image/);
    // A visitor's click is clamped into the image instead (it was made on the shown image).
    const user = changes.addPoint({ x: 100.4, y: -0.2, label: 1 }, 'user').apply(applied, { width: 100, height: 80 })!;
    expect(user.points[1]).to.deep.equal({ x: 100, y: 0, label: 1 });
  });
});
