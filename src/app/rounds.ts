/**
 * A background job run in rounds: one round at a time, another right after it when woken during
 * it (`kick`), otherwise the next after `pollMs`. The exchange sender, the checkpoint signer and
 * the cosignature requester are each one of these around their own round.
 */
export class Rounds {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private halted = true;

  constructor(
    private readonly round: () => Promise<unknown>,
    private readonly options: { pollMs: number; onError?: (error: unknown) => void },
  ) {}

  /** True once stopped (or before the start): a long round checks it to end early. */
  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    this.halted = false;
    this.kick();
  }

  /** Stops the timer and waits for the round in progress. */
  async stop(): Promise<void> {
    this.halted = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a round now (or right after the one in progress). */
  kick(): void {
    if (this.halted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.round()
      .then(() => undefined)
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = undefined;
        if (this.halted) return;
        if (this.again) {
          this.again = false;
          this.kick();
          return;
        }
        this.timer = setTimeout(() => this.kick(), this.options.pollMs);
        this.timer.unref();
      });
  }
}
