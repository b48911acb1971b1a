/**
 * Latest-wins scheduling for work that can't keep up with its input (hover preview while the
 * pointer moves): at most one run in flight and one pending; a newer request replaces the
 * pending one; a result is delivered only if nothing newer was asked for meanwhile. So a fast
 * pointer costs at most one extra decode, builds no backlog, and never paints a stale mask.
 */
export class LatestWins<Input, Output> {
  private _inFlight = false;
  private _pending: { input: Input } | null = null;
  private _epoch = 0;
  private _controller: AbortController | null = null;
  /** Runs started, for diagnostics. */
  runs = 0;

  constructor(
    private readonly _run: (input: Input, signal: AbortSignal) => Promise<Output>,
    private readonly _deliver: (output: Output, input: Input) => void,
    private readonly _fail: (error: unknown) => void = () => {},
  ) {}

  schedule(input: Input): void {
    this._pending = { input };
    if (!this._inFlight) void this._drain();
  }

  /** Drops the pending request and makes the in-flight result undeliverable. */
  cancel(): void {
    this._pending = null;
    this._epoch++;
    this._controller?.abort();
  }

  get busy(): boolean {
    return this._inFlight || this._pending !== null;
  }

  private async _drain() {
    while (this._pending) {
      const { input } = this._pending;
      this._pending = null;
      const epoch = this._epoch;
      const controller = new AbortController();
      this._controller = controller;
      this._inFlight = true;
      this.runs++;
      try {
        const output = await this._run(input, controller.signal);
        // Deliver only the newest answer: a pending request means the input moved on.
        if (epoch === this._epoch && !this._pending && !controller.signal.aborted) this._deliver(output, input);
      } catch (error) {
        if (epoch === this._epoch && !controller.signal.aborted) this._fail(error);
      } finally {
        this._inFlight = false;
        this._controller = null;
      }
    }
  }
}
