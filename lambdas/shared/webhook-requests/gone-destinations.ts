/**
 * Destinations that answered 410 Gone. Standard Webhooks reads a 410 as "this endpoint is
 * disabled": the delivery stage remembers it in the webhook requests table (one item keyed
 * `destination#<origin><path>`, removed by the table's TTL) and checks it before every attempt,
 * so later deliveries to that exact destination are not attempted and their status says why.
 * `revbot webhook redeliver` clears the mark: an operator re-sending is the sign it is back.
 */

/** How long a 410 keeps a destination switched off unless an operator re-enables it first. */
export const DESTINATION_GONE_TTL_SECONDS = 30 * 24 * 3600;

export interface GoneDestination {
  /** Origin and path, without query or fragment (which may carry tokens). */
  destination: string;
  /** When it answered 410 (ISO 8601). */
  gone_at: string;
}

export interface GoneDestinations {
  /** Remembers that `destination` answered 410 Gone at `at`. */
  markDestinationGone(destination: string, at: Date): Promise<void>;
  /** The mark on `destination`, unless none was set or it has expired. */
  destinationGone(destination: string): Promise<GoneDestination | undefined>;
  /** Re-enables `destination`. */
  clearDestinationGone(destination: string): Promise<void>;
}

/** What a mark is kept by: the URL's origin and path, so only that exact endpoint is off. */
export function destinationOf(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.origin}${parsed.pathname}`;
}

/** The mark's key in the requests table: never a tracking id (those are UUIDs). */
export const goneDestinationKey = (destination: string): string => `destination#${destination}`;
