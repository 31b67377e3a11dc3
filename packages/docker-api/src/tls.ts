import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';

export interface TlsOptions {
  /** PEM server certificate (chain). */
  cert: string;
  /** PEM private key of the certificate. */
  key: string;
  /** PEM CA bundle that client certificates must chain to. */
  ca?: string;
  /** Refuse clients without a certificate from `ca`; on by default when `ca` is given (Docker's --tlsverify). */
  requireClientCert?: boolean;
}

export function httpsOptions(tls: TlsOptions): ServerOptions {
  const verifyClients = tls.requireClientCert ?? tls.ca !== undefined;
  if (verifyClients && !tls.ca) {
    throw new Error(
      'Docker API TLS: requiring client certificates needs a CA to check them against',
    );
  }
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca } : {}),
    requestCert: verifyClients,
    rejectUnauthorized: verifyClients,
    // The CLI half-closes an attached connection and still reads the output.
    allowHalfOpen: true,
  };
}

/** Reads the PEM files named by configuration (SHOAL_DOCKER_TLS_*). */
export function readTlsFiles(files: {
  cert: string;
  key: string;
  ca?: string | undefined;
}): TlsOptions {
  const read = (file: string) => readFileSync(file, 'utf8');
  return {
    cert: read(files.cert),
    key: read(files.key),
    ...(files.ca ? { ca: read(files.ca) } : {}),
  };
}
