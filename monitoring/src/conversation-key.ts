/** Where a conversation lands: `conversation-history/YYYY/MM/DD/<ISO timestamp>_<id>/`. */

export const CONVERSATION_HISTORY_PREFIX = 'conversation-history/';

export const CONVERSATION_FILE = 'conversation.json';
export const METADATA_FILE = 'metadata.json';
export const RAW_EVENTS_FILE = 'events.json';

/** Ids become one path segment: anything but letters, digits, `.`, `_` and `-` becomes `-`. */
export function safePathSegment(id: string): string {
  const cleaned = id
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^\.+/, '')
    .slice(0, 128);
  return cleaned.length > 0 ? cleaned : 'conversation';
}

/**
 * The key prefix for a conversation started at `startedAt` (UTC). The timestamp uses ISO 8601's
 * basic format (`20250521T094901.981Z`): sortable, and free of `:` so the same layout works in
 * any local folder.
 */
export function conversationKeyPrefix(
  startedAt: Date | string | number,
  conversationId: string,
): string {
  const date = new Date(startedAt);
  if (Number.isNaN(date.getTime()))
    throw new RangeError(`Invalid conversation start time: ${String(startedAt)}`);
  const iso = date.toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const basic = iso.replace(/[-:]/g, '');
  return `${CONVERSATION_HISTORY_PREFIX}${day}/${basic}_${safePathSegment(conversationId)}/`;
}
