/** Small formatting helpers shared by the operations commands' terminal output. */

/** `43 ms`, `6.8 s`, `2 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  if (totalMinutes < 48 * 60) {
    return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
  }
  return `${Math.round(totalMinutes / 1440)} days`;
}

/** How long ago, from `now`: `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAge(at: Date | number | undefined, now: number): string {
  if (at === undefined) return 'at an unknown time';
  const ms = now - (typeof at === 'number' ? at : at.getTime());
  if (!Number.isFinite(ms)) return 'at an unknown time';
  if (ms < 45_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 48 * 3_600_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}

export const plural = (count: number, word: string, many = `${word}s`): string =>
  `${count} ${count === 1 ? word : many}`;

/** `2026-11-23 10:04:05 UTC` */
export function formatUtc(at: Date | string | number): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** First line of `text`, cut to `max` characters with an ellipsis. */
export function oneLine(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, Math.max(1, max - 1))}…` : flat;
}

/** Columns padded to the widest cell and joined by two spaces; the last column is not padded. */
export function formatTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
}

/** Pretty JSON with a trailing newline, for `--json`. */
export const toJsonLine = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
