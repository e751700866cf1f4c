/**
 * The tasks this worker is running, each with the controller its receivers' signals hang off, so an
 * `acquisition.cancelled` event (heard by every replica) reaches the one running the task.
 */
export class Cancellations {
  private readonly running = new Map<string, AbortController>();

  track(taskId: string): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    return {
      signal: controller.signal,
      release: () => {
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
