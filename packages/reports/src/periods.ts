/**
 * A report period is a calendar month `YYYY-MM` or an ISO 8601 week `YYYY-Www` (weeks start on Monday;
 * week 1 holds the year's first Thursday). Periods are local dates: their boundaries are taken in the
 * subscription's time zone when telemetry is selected.
 */
export type Frequency = 'monthly' | 'weekly';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const WEEK = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Monday of ISO week 1 of `year`, as UTC midnight milliseconds. */
function isoYearStart(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
}

/** The ISO week a calendar date (UTC midnight ms) falls in. */
function isoWeekOf(dayMs: number): { year: number; week: number } {
  const weekday = (new Date(dayMs).getUTCDay() + 6) % 7;
  const thursday = dayMs + (3 - weekday) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: Math.floor((thursday - isoYearStart(year)) / (7 * DAY_MS)) + 1 };
}

const weekPeriod = (w: { year: number; week: number }) => `${w.year}-W${pad(w.week)}`;

export function frequencyOf(period: string): Frequency | null {
  if (MONTH.test(period)) return 'monthly';
  const m = WEEK.exec(period);
  // Week 53 exists only in years whose ISO calendar has it.
  if (m && isoWeekOf(isoYearStart(Number(m[1])) + (Number(m[2]) - 1) * 7 * DAY_MS).week === Number(m[2]))
    return 'weekly';
  return null;
}

export function isPeriod(value: string): boolean {
  return frequencyOf(value) !== null;
}

/** First day and the day after the last (exclusive) as `YYYY-MM-DD`: local midnight boundaries. */
export function periodRange(period: string): { start: string; end: string } {
  const month = MONTH.exec(period);
  if (month) {
    const [y, m] = [Number(month[1]), Number(month[2])];
    return { start: isoDate(Date.UTC(y, m - 1, 1)), end: isoDate(Date.UTC(y, m, 1)) };
  }
  const week = WEEK.exec(period);
  if (!week || !isPeriod(period)) throw new Error(`not a report period: ${period}`);
  const start = isoYearStart(Number(week[1])) + (Number(week[2]) - 1) * 7 * DAY_MS;
  return { start: isoDate(start), end: isoDate(start + 7 * DAY_MS) };
}

/** Every day of the period as `YYYY-MM-DD` (charts show days without data as gaps). */
export function daysOf(period: string): string[] {
  const { start, end } = periodRange(period);
  const days: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t < Date.parse(`${end}T00:00:00Z`); t += DAY_MS) days.push(isoDate(t));
  return days;
}

const monthYear = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "October 2026" or "Week 42, 2026 (12 Oct – 18 Oct)", for titles and email subjects. */
export function periodLabel(period: string): string {
  const { start, end } = periodRange(period);
  const first = Date.parse(`${start}T00:00:00Z`);
  if (frequencyOf(period) === 'monthly') return monthYear.format(first);
  const last = Date.parse(`${end}T00:00:00Z`) - DAY_MS;
  return `Week ${Number(period.slice(6))}, ${period.slice(0, 4)} (${dayMonth.format(first)} – ${dayMonth.format(last)})`;
}

/** The calendar date `at` falls on in `timeZone`, as UTC midnight milliseconds. */
function localDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'));
}

/**
 * The last period complete at `at` in `timeZone`: the month (or ISO week) before the one `at` falls in
 * there. A slot at 02:00 UTC on the 1st reports the month just ended for Berlin, and for Los Angeles
 * (still the last day of the month there) the month before.
 */
export function previousPeriod(at: Date, timeZone: string, frequency: Frequency = 'monthly'): string {
  const day = localDay(at, timeZone);
  const d = new Date(day);
  if (frequency === 'monthly') {
    const prev = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
    return `${prev.getUTCFullYear()}-${pad(prev.getUTCMonth() + 1)}`;
  }
  const monday = day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return weekPeriod(isoWeekOf(monday - 7 * DAY_MS));
}
