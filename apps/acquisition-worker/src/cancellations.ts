/**
 * The tasks this worker is running, each with the controller its receivers' signals hang off, so an
 * `acquisition.cancelled` event (heard by every replica) reaches the one running the task.
 *
 * The event is a plain NATS publish: a worker that is reconnecting when it goes out never hears it. So
 * each tracked task also asks the state of record (`isCancelled`) every `pollMs`; the event hangs up
 * within milliseconds, the poll within `pollMs` when the event was lost.
 */
export class Cancellations {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly pollMs = 2_000) {}

  track(taskId: string, isCancelled?: () => Promise<boolean>): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    // A failed check (database blip) is not a cancel: the next one or the event decides.
    const check = () =>
      isCancelled?.().then(
        (yes) => yes && this.cancel(taskId),
        () => undefined,
      );
    const poll = isCancelled ? setInterval(check, this.pollMs) : undefined;
    poll?.unref();
    return {
      signal: controller.signal,
      release: () => {
        if (poll) clearInterval(poll);
        if (this.running.get(taskId) === controller) this.running.delete(taskId);
      },
    };
  }

  /** True when the task runs here (its connections are closing). */
  cancel(taskId: string): boolean {
    const controller = this.running.get(taskId);
    controller?.abort(new Error('the acquisition was cancelled'));
    return controller !== undefined;
  }
}
