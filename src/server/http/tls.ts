/**
 * The certificate Sabha serves HTTPS with: the admin's, or a self-signed one made
 * once with Debian's openssl and kept in the data directory.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint, for the admin to compare when the browser warns about a self-signed certificate. */
  fingerprint: string;
  selfSigned: boolean;
}

export function loadOrCreateCertificate(options: { certFile?: string | undefined; keyFile?: string | undefined; dataDir: string; hostname: string }): TlsMaterial {
  if (options.certFile && options.keyFile) {
    const cert = readFileSync(options.certFile);
    return { cert, key: readFileSync(options.keyFile), fingerprint: fingerprintOf(cert), selfSigned: false };
  }
  const dir = join(options.dataDir, 'tls');
  const certFile = join(dir, 'self-signed.crt');
  const keyFile = join(dir, 'self-signed.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const san = /^[\d.]+$/.test(options.hostname) || options.hostname.includes(':') ? `IP:${options.hostname}` : `DNS:${options.hostname}`;
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '825', '-subj', '/CN=Sabha',
      '-addext', `subjectAltName=${san},DNS:localhost,IP:127.0.0.1`,
    ], { stdio: 'ignore' });
  }
  const cert = readFileSync(certFile);
  return { cert, key: readFileSync(keyFile), fingerprint: fingerprintOf(cert), selfSigned: true };
}

function fingerprintOf(pem: Buffer): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return createHash('sha256').update(pem).digest('hex');
  }
}
