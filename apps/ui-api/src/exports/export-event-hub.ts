import type { Bus } from '@pulse/bus';

export type ExportEventName = 'progress' | 'completed';
type Listener = (event: ExportEventName, data: Record<string, unknown>) => void;

/**
 * One pair of bus subscriptions per process, fanned out to this process's progress streams by user:
 * a stream costs a map entry, not two NATS subscriptions. The subscriptions open with the first
 * stream and close with the last.
 */
export function createExportEventHub(bus: Pick<Bus, 'subscribe'>) {
  const byUser = new Map<string, Set<Listener>>();
  let subscriptions: Array<{ unsubscribe(): void }> = [];
  const dispatch = (event: ExportEventName, { userId, ...rest }: { userId: string }) => {
    for (const listener of byUser.get(userId) ?? []) listener(event, rest);
  };
  return {
    /** Streams this user has open in this process. */
    count: (userId: string) => byUser.get(userId)?.size ?? 0,
    /** Starts delivering this user's events to `listener`; returns its removal. */
    add(userId: string, listener: Listener): () => void {
      if (subscriptions.length === 0) {
        subscriptions = [
          bus.subscribe('export.progress', (e) => dispatch('progress', e)),
          bus.subscribe('export.completed', (e) => dispatch('completed', e)),
        ];
      }
      const set = byUser.get(userId) ?? new Set();
      set.add(listener);
      byUser.set(userId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) byUser.delete(userId);
        if (byUser.size === 0) {
          for (const s of subscriptions) s.unsubscribe();
          subscriptions = [];
        }
      };
    },
  };
}

export type ExportEventHub = ReturnType<typeof createExportEventHub>;
