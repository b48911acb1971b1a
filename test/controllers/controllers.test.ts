import { expect } from '@esm-bundle/chai';
import { LatestWins } from '../../src/controllers/latest-wins.js';
import { PromptHistory } from '../../src/controllers/prompt-history.js';

describe('controllers', () => {
  it('LatestWins runs the first and the last of a burst and delivers only the last', async () => {
    const started: number[] = [];
    const delivered: number[] = [];
    const gate: Array<() => void> = [];
    const scheduler = new LatestWins<number, number>(
      (input) => {
        started.push(input);
        return new Promise((resolve) => gate.push(() => resolve(input * 10)));
      },
      (output) => delivered.push(output),
    );
    for (let i = 1; i <= 50; i++) scheduler.schedule(i);
    expect(started).to.deep.equal([1]);
    gate.shift()!();
    await Promise.resolve();
    await Promise.resolve();
    // The first result is stale (50 is pending): not delivered; 50 starts.
    expect(delivered).to.deep.equal([]);
    expect(started).to.deep.equal([1, 50]);
    gate.shift()!();
    await new Promise((r) => setTimeout(r));
    expect(delivered).to.deep.equal([500]);
    expect(scheduler.runs).to.equal(2);
  });

  it('LatestWins.cancel drops the pending run and the in-flight result', async () => {
    const delivered: number[] = [];
    const scheduler = new LatestWins<number, number>(async (n) => n, (n) => delivered.push(n));
    scheduler.schedule(1);
    scheduler.schedule(2);
    scheduler.cancel();
    await new Promise((r) => setTimeout(r));
    expect(delivered).to.deep.equal([]);
    expect(scheduler.busy).to.equal(false);
  });

  it('PromptHistory undoes and redoes whole snapshots; a new change forgets the redo branch', () => {
    const history = new PromptHistory();
    const p = (x: number) => ({ points: [{ x, y: 0, label: 1 as const }], box: null });
    history.push(p(1));
    history.push(p(2));
    expect(history.undo()).to.equal(true);
    expect(history.current.points[0].x).to.equal(1);
    expect(history.redo()).to.equal(true);
    expect(history.current.points[0].x).to.equal(2);
    history.undo();
    history.push(p(3));
    expect(history.canRedo).to.equal(false);
    history.undo();
    history.undo();
    expect(history.current.points).to.have.length(0);
    expect(history.undo()).to.equal(false);
  });
});
