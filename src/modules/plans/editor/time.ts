/**
 * Phase dates are entered as a Europe/Berlin calendar date and wall-clock time, whatever the
 * server's time zone, and stored as instants. Daylight saving time is handled by asking Intl
 * for the zone's offset at the instant in question.
 */
export const ZONE = 'Europe/Berlin';

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The Berlin wall-clock reading of an instant, as if it were UTC (milliseconds). */
function wallClock(ms: number): number {
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
}

function offsetAt(ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClock(whole) - whole;
}

/** `YYYY-MM-DD` and `HH:MM` of an instant in Berlin, for date and time inputs. */
export function toBerlinInputs(date: Date): { date: string; time: string } {
  const iso = new Date(wallClock(date.getTime())).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

export type BerlinResult = { ok: true; date: Date } | { ok: false; reason: 'invalid' | 'gap' };

/**
 * The instant of a Berlin date and time. A time that does not exist (the hour skipped when the
 * clocks go forward) is reported as a gap; a time that exists twice (when they go back) is the
 * later one, in standard time.
 */
export function fromBerlin(date: string, time: string): BerlinResult {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!d || !t) return { ok: false, reason: 'invalid' };
  const [year, month, day, hour, minute, second] = [d[1], d[2], d[3], t[1], t[2], t[3] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (year < 1900 || year > 2200 || hour > 23 || minute > 59 || second > 59) return { ok: false, reason: 'invalid' };
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return { ok: false, reason: 'invalid' };
  let instant = local - offsetAt(local);
  const second_ = offsetAt(instant);
  if (local - second_ !== instant) instant = local - second_;
  if (wallClock(instant) !== local) return { ok: false, reason: 'gap' };
  return { ok: true, date: new Date(instant) };
}

/** Date and time in Berlin for pages and messages, e.g. "3. Mai 2021, 00:00". */
export { formatDateTime } from '../../../core/forms.js';
