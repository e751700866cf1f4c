import type { Db } from '@pulse/db';
import { ReceiverError } from './receiver-errors';
import { type ReceiverCreate, type ReceiverKind, receiverCreate, withDefaults } from './receiver-fields';

const NETWORK_KINDS: ReceiverKind[] = ['kiwisdr', 'rtl_tcp'];

/**
 * Parses the configured receiver list (`ACQUISITION_RECEIVERS`): comma-separated entries, each an id
 * (a synthetic receiver) or `id=kind://host:port` (`kiwisdr://kiwi.example.org:8073`,
 * `rtl_tcp://10.0.0.5:1234`). Throws on the first malformed entry, naming it.
 */
export function parseReceiverList(list: readonly string[]): ReceiverCreate[] {
  return list.map((entry) => {
    const eq = entry.indexOf('=');
    const id = eq < 0 ? entry : entry.slice(0, eq);
    let input: unknown = { id, name: id, kind: 'synthetic' };
    if (eq >= 0) {
      const match = /^([a-z_]+):\/\/([^:/]+):(\d{1,5})$/.exec(entry.slice(eq + 1));
      const kind = match?.[1] as ReceiverKind | undefined;
      if (!match || !kind || !NETWORK_KINDS.includes(kind)) {
        throw new ReceiverError(
          'invalid_receiver',
          `receiver "${id}": expected kiwisdr://host:port or rtl_tcp://host:port`,
        );
      }
      input = { id, name: id, kind, host: match[2], port: Number(match[3]) };
    }
    const parsed = receiverCreate.safeParse(input);
    if (!parsed.success) {
      throw new ReceiverError('invalid_receiver', `receiver "${id}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    return parsed.data;
  });
}

/**
 * The configured list seeds an empty registry (first start); afterwards the table is the only source
 * of truth and the list is ignored, so an admin's changes survive restarts. Safe with several
 * replicas starting at once: the insert is one statement that skips ids already there.
 * Returns how many entries were inserted.
 */
export async function seedReceivers(db: Db, entries: readonly ReceiverCreate[]): Promise<number> {
  if (entries.length === 0) return 0;
  const rows = entries.map((e) => ({ id: e.id, ...withDefaults(e) }));
  const { rowCount } = await db.pool.query(
    `INSERT INTO receivers (id, name, kind, host, port, min_frequency_hz, max_frequency_hz, max_sample_rate, updated_at)
     SELECT v.id, v.name, v.kind::"ReceiverKind", v.host, v.port, v."minFrequencyHz", v."maxFrequencyHz", v."maxSampleRate", now()
       FROM jsonb_to_recordset($1::jsonb) AS v(id text, name text, kind text, host text, port int,
                                               "minFrequencyHz" bigint, "maxFrequencyHz" bigint, "maxSampleRate" int)
      WHERE NOT EXISTS (SELECT 1 FROM receivers)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}
