import { describe, expect, it } from '@jest/globals';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { createTestDatabase, startSmtpCapture, uniqueName } from '../src/index';

describe('createTestDatabase', () => {
  it('gives each caller its own migrated database and drops it afterwards', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.name).not.toBe(b.name);
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass('public.artifact_files') AS t`);
      expect(rows[0]?.t).toBe('artifact_files');
      await client.query(`INSERT INTO devices (id, name) VALUES ('only-in-a', 'A')`);
    } finally {
      await client.end();
    }
    const other = new pg.Client({ connectionString: b.url });
    await other.connect();
    try {
      expect((await other.query(`SELECT 1 FROM devices WHERE id = 'only-in-a'`)).rowCount).toBe(0);
    } finally {
      await other.end();
    }
    await Promise.all([a.drop(), b.drop()]);
    const admin = new pg.Client({ connectionString: a.url.replace(`/${a.name}`, '/postgres') });
    await admin.connect();
    try {
      expect((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [a.name])).rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('names are unique and lowercase', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('T')));
    expect(names.size).toBe(100);
    for (const n of names) expect(n).toBe(n.toLowerCase());
  });
});

describe('startSmtpCapture', () => {
  it('receives real SMTP and resolves waiters for matching messages only', async () => {
    const smtp = await startSmtpCapture();
    try {
      const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, ignoreTLS: true });
      const waiting = smtp.waitFor((m) => m.subject === 'second');
      await transport.sendMail({ from: 'a@x.test', to: 'b@x.test', subject: 'first', text: 'one' });
      await transport.sendMail({ from: 'a@x.test', to: 'c@x.test', subject: 'second', text: 'two' });
      const got = await waiting;
      expect(got).toMatchObject({ to: ['c@x.test'], subject: 'second' });
      expect(got.text.trim()).toBe('two');
      await expect(smtp.waitFor((m) => m.subject === 'never', 200)).rejects.toThrow(/no matching email/);
      transport.close();
    } finally {
      await smtp.close();
    }
  });
});
