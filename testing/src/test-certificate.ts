/**
 * Throw-away self-signed certificates made by openssl for TLS stand-ins (the local Firebolt API,
 * webhook receivers behind a DNS name), one per name and process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made = new Map<string, { key: string; cert: string }>();

/** A certificate for one DNS name or IP address (`hooks.example.test`, `127.0.0.1`). */
export function selfSignedCertificateFor(name: string): { key: string; cert: string } {
  const existing = made.get(name);
  if (existing) return existing;
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=${isIP(name) ? 'IP' : 'DNS'}:${name}`,
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const certificate = {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
    made.set(name, certificate);
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
