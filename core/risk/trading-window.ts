/** Is `ts` inside the trading window (days of week and a daily time range, in a time zone)? */
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export interface TradingWindow {
  days: number[];
  from: string;
  to: string;
  timezone: string;
}

export function localTime(ts: number, timezone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ts));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAYS[get('weekday')] ?? 0, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A window from 22:00 to 06:00 spans midnight; the day is the local day of `ts`. */
export function inTradingWindow(ts: number, w: TradingWindow): boolean {
  const { day, minutes } = localTime(ts, w.timezone);
  if (w.days.length && !w.days.includes(day)) return false;
  if (!w.from || !w.to) return true;
  const from = toMinutes(w.from);
  const to = toMinutes(w.to);
  return from <= to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}
