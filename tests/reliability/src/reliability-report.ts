import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));
const REPORT_FILE = fileURLToPath(new URL('../../../RELIABILITY.md', import.meta.url));
const TABLE_START = '<!-- reliability:table -->';
const TABLE_END = '<!-- /reliability:table -->';
const NOTES_START = '<!-- reliability:scenarios -->';
const NOTES_END = '<!-- /reliability:scenarios -->';

/** What one scenario measured; the suite writes it, RELIABILITY.md is generated from all of them. */
export interface ScenarioResult {
  /** Stable key (file name of the result); also orders the table. */
  id: string;
  title: string;
  /** Runs in the bounded CI subset (`pnpm test`), not only with RELIABILITY_FULL=1. */
  ci: boolean;
  injected: string;
  /** Jobs or requests the scenario drove. */
  jobs: number;
  lost: number;
  duplicated: number;
  /** Unexpected errors: 5xx answers, failed jobs that should have succeeded, secret hits. */
  errors: number;
  /** From the fault's end until the system was healthy/finished again; undefined when not applicable. */
  recoveryMs?: number;
  /** Other measured figures worth a column of their own (p99, RSS, 429s). */
  notes?: string;
  /** What passing this scenario proves, one short paragraph. */
  proves: string;
}

interface StoredResult extends ScenarioResult {
  measuredAt: string;
}

function readResults(): StoredResult[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as StoredResult);
}

const seconds = (ms?: number) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTable(results: StoredResult[]): string {
  const head = [
    '| Scenario | CI | Injected | Jobs / requests | Lost | Duplicated | Errors | Recovery | Other figures | Measured (UTC) |',
    '|---|---|---|---:|---:|---:|---:|---:|---|---|',
  ];
  const rows = results.map(
    (r) =>
      `| ${cell(r.title)} | ${r.ci ? 'yes' : 'full'} | ${cell(r.injected)} | ${r.jobs} | ${r.lost} | ${r.duplicated} | ${r.errors} | ${seconds(r.recoveryMs)} | ${cell(r.notes ?? '')} | ${r.measuredAt.slice(0, 16).replace('T', ' ')} |`,
  );
  return [...head, ...rows].join('\n');
}

export function renderNotes(results: StoredResult[]): string {
  return results.map((r) => `**${r.title}** (${r.ci ? 'CI subset' : 'full suite'}). ${r.proves}`).join('\n\n');
}

function replaceBetween(text: string, start: string, end: string, body: string): string {
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  return i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
}

/**
 * Stores one scenario's figures and regenerates the table and the scenario notes in RELIABILITY.md
 * (only the text between the markers; the prose around them is hand-written). One file per scenario,
 * so a subset run updates its rows and leaves the others as last measured. Only when asked
 * (RELIABILITY_RECORD=1, which `pnpm test:reliability` sets): a plain `pnpm test`, CI's included,
 * checks the same things without rewriting tracked files.
 */
export function recordScenario(result: ScenarioResult): void {
  if (process.env.RELIABILITY_RECORD !== '1') return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stored: StoredResult = { ...result, measuredAt: new Date().toISOString() };
  writeFileSync(path.join(RESULTS_DIR, `${result.id}.json`), `${JSON.stringify(stored, null, 2)}\n`);
  const all = readResults();
  let text: string;
  try {
    text = readFileSync(REPORT_FILE, 'utf8');
  } catch {
    text = '# Reliability\n';
  }
  text = replaceBetween(text, TABLE_START, TABLE_END, renderTable(all));
  text = replaceBetween(text, NOTES_START, NOTES_END, renderNotes(all));
  writeFileSync(REPORT_FILE, text);
}
