/** A Logger that records instead of printing, so test output stays readable. */
import type { Logger } from '@revbot/core';

export interface RecordingLogger extends Logger {
  entries: { level: string; message: string; extra?: Record<string, unknown> }[];
}

export function recordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  const at = (level: string) => (message: string, extra: Record<string, unknown>) => {
    entries.push({ level, message, extra });
  };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
