import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '@pulse/db';
import { type OpenTestDb, openTestDb } from '@pulse/db/testing';
import {
  createReceiver,
  deleteReceiver,
  listEnabledReceivers,
  listReceivers,
  parseReceiverList,
  type ReceiverError,
  receiversForCapture,
  recordReceiverContact,
  seedReceivers,
  updateReceiver,
} from '../src';

let t: OpenTestDb;
let db: Db;

beforeAll(async () => {
  t = await openTestDb('pulse_acq_t', 3);
  db = t.db;
});
afterAll(async () => {
  await t.dispose();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: ReceiverError) => ({ code: err.code, message: err.message, details: err.details }),
  );

describe('receivers registry', () => {
  it('seeds an empty registry from the configured list, once', async () => {
    const entries = parseReceiverList([
      'twente',
      'kiwi-a=kiwisdr://kiwi.example.org:8073',
      'rtl=rtl_tcp://10.0.0.5:1234',
    ]);
    expect(await seedReceivers(db, entries)).toBe(3);
    // Not a second source of truth: a later start with another list changes nothing.
    expect(await seedReceivers(db, parseReceiverList(['other']))).toBe(0);
    const all = await listReceivers(db);
    expect(all.map((r) => [r.id, r.kind, r.host, r.port])).toEqual([
      ['kiwi-a', 'kiwisdr', 'kiwi.example.org', 8073],
      ['rtl', 'rtl_tcp', '10.0.0.5', 1234],
      ['twente', 'synthetic', null, null],
    ]);
    expect(all[0]).toMatchObject({ maxFrequencyHz: 30_000_000, maxSampleRate: 20_250, status: 'unknown' });
  });

  it('rejects malformed list entries by name', () => {
    expect(() => parseReceiverList(['bad=http://x:1'])).toThrow('receiver "bad"');
    expect(() => parseReceiverList(['a b'])).toThrow('receiver "a b"');
  });

  it('creates, never returns the password reference, and refuses duplicates', async () => {
    const created = await createReceiver(db, {
      id: 'kiwi-b',
      name: 'Kiwi B',
      kind: 'kiwisdr',
      host: 'kiwi-b.example.org',
      port: 8073,
      passwordRef: 'env:KIWI_B_PASSWORD',
      latitude: 52.2,
      longitude: 6.9,
    });
    expect(created).toMatchObject({ id: 'kiwi-b', hasPassword: true, enabled: true });
    expect(JSON.stringify(created)).not.toContain('KIWI_B_PASSWORD');
    expect(await refusal(createReceiver(db, { id: 'kiwi-b', name: 'x', kind: 'synthetic' }))).toMatchObject({
      code: 'duplicate_receiver',
    });
    expect(
      await refusal(
        createReceiver(db, { id: 'kiwi-c', name: 'x', kind: 'kiwisdr', host: 'kiwi-b.example.org', port: 8073 }),
      ),
    ).toMatchObject({ code: 'duplicate_address', message: expect.stringContaining('kiwi-b.example.org:8073') });
  });

  it('checks the whole entry: address by kind, password only for KiwiSDR, ranges, coordinates', async () => {
    const invalid = (input: Parameters<typeof createReceiver>[1]) => refusal(createReceiver(db, input));
    expect(await invalid({ id: 'n1', name: 'x', kind: 'kiwisdr' })).toMatchObject({
      code: 'invalid_receiver',
      details: [
        { path: 'host', message: 'required for kiwisdr' },
        { path: 'port', message: 'required for kiwisdr' },
      ],
    });
    expect(await invalid({ id: 'n2', name: 'x', kind: 'synthetic', host: 'a.example', port: 1 })).toMatchObject({
      code: 'invalid_receiver',
    });
    expect(
      await invalid({ id: 'n3', name: 'x', kind: 'rtl_tcp', host: 'a.example', port: 1, passwordRef: 'env:X' }),
    ).toMatchObject({ details: [{ path: 'passwordRef' }] });
    expect(
      await invalid({ id: 'n4', name: 'x', kind: 'synthetic', minFrequencyHz: 10, maxFrequencyHz: 5 }),
    ).toMatchObject({ details: [{ path: 'maxFrequencyHz' }] });
    expect(await invalid({ id: 'n5', name: 'x', kind: 'synthetic', latitude: 1 })).toMatchObject({
      details: [{ path: 'longitude' }],
    });
  });

  it('updates (re-checking the merged entry), disables and deletes', async () => {
    const moved = await updateReceiver(db, 'kiwi-b', { port: 8074, passwordRef: null });
    expect(moved).toMatchObject({ port: 8074, hasPassword: false });
    expect(await refusal(updateReceiver(db, 'kiwi-b', { kind: 'synthetic' }))).toMatchObject({
      code: 'invalid_receiver',
    });
    expect(await refusal(updateReceiver(db, 'kiwi-b', { host: 'kiwi.example.org', port: 8073 }))).toMatchObject({
      code: 'duplicate_address',
    });
    await updateReceiver(db, 'kiwi-b', { enabled: false });
    expect((await listEnabledReceivers(db)).map((r) => r.id)).not.toContain('kiwi-b');
    expect((await listEnabledReceivers(db))[0]).not.toHaveProperty('host');
    await deleteReceiver(db, 'kiwi-b');
    expect(await refusal(deleteReceiver(db, 'kiwi-b'))).toMatchObject({ code: 'receiver_not_found' });
    expect(await refusal(updateReceiver(db, 'kiwi-b', { name: 'y' }))).toMatchObject({ code: 'receiver_not_found' });
  });

  it('records contact: online after a good capture, failing with the reason after a bad one', async () => {
    await recordReceiverContact(db, 'rtl', { ok: true });
    expect((await listReceivers(db)).find((r) => r.id === 'rtl')).toMatchObject({ status: 'online' });
    await recordReceiverContact(db, 'rtl', { ok: false, error: 'too many users' });
    expect((await listReceivers(db)).find((r) => r.id === 'rtl')).toMatchObject({
      status: 'failing',
      lastError: 'too many users',
    });
    const targets = await receiversForCapture(db, ['rtl', 'missing']);
    expect([...targets.keys()]).toEqual(['rtl']);
    expect(targets.get('rtl')).toMatchObject({ kind: 'rtl_tcp', host: '10.0.0.5', port: 1234 });
  });
});
