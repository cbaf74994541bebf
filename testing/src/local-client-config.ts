/**
 * How a test points a real AWS SDK client at a local stand-in: the endpoint, one region and
 * dummy credentials (signed requests, never checked), and one attempt unless the test is about
 * retries, so a failure shows at once and the caller's own retry decision is what is tested.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: typeof LOCAL_CREDENTIALS;
  maxAttempts: number;
}

export function localClientConfig(
  endpoint: string,
  options: { region?: string; maxAttempts?: number } = {},
): LocalClientConfig {
  return {
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
  };
}
