/**
 * A self-signed certificate and key for a proof (openssl CLI): stands in for
 * certificates that cannot be read on this machine, and serves the echo
 * backend when the config proxies to https://. EC P-256: made in milliseconds.
 */
import { execFile } from 'node:child_process';
import { isIP } from 'node:net';

export function generateCert(
  cert: string,
  key: string,
  names: string[],
  timeoutMs: number,
  signal?: AbortSignal,
  openssl = 'openssl',
): Promise<void> {
  const cn = names.find((n) => !isIP(n)) ?? 'localhost';
  const san = [...new Set(names)].map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${cn.slice(0, 64)}`,
    '-addext',
    `subjectAltName=${san}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(openssl, args, { timeout: timeoutMs, signal }, (err, _out, stderr) => {
      if (!err) resolve();
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        reject(new Error('openssl is not installed: it is needed to generate a certificate for the proof'));
      else reject(new Error(`openssl could not generate a certificate: ${(stderr || err.message).trim().split('\n').pop()}`));
    });
  });
}
