/**
 * The budget day: a calendar day in the configured IANA time zone (budgets roll over at local
 * midnight, daylight-saving changes included), with the seconds left until it rolls over for
 * `Retry-After`. A pure function of an instant and a zone.
 */

export interface BudgetDay {
  /** `YYYY-MM-DD` in the time zone. */
  day: string;
  /** When the next day starts. */
  endsAt: Date;
  /** Whole seconds until `endsAt`, at least 1. */
  secondsLeft: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const p = partsIn(ms, timeZone);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return local - Math.floor(ms / 1000) * 1000;
}

/** Whether the runtime knows the zone (validated once, at start-up). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function budgetDay(now: Date, timeZone: string): BudgetDay {
  const ms = now.getTime();
  const p = partsIn(ms, timeZone);
  const day = `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  // Local midnight of the next day, as an instant: guess with today's offset, then correct with
  // the offset in force at the guess (a DST change between now and midnight).
  const nextMidnightLocal = Date.UTC(p.year, p.month - 1, p.day + 1);
  let endsAt = nextMidnightLocal - offsetAt(ms, timeZone);
  endsAt = nextMidnightLocal - offsetAt(endsAt, timeZone);
  return {
    day,
    endsAt: new Date(endsAt),
    secondsLeft: Math.max(1, Math.ceil((endsAt - ms) / 1000)),
  };
}
