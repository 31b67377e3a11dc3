import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './test-support/harness';
import { unframe } from './test-support/wire';
import { readTlsFiles } from './tls';

// A throwaway CA, a server certificate for 127.0.0.1 and a client
// certificate, made with the openssl binary for this run only.
let dir: string;
const file = (name: string) => path.join(dir, name);
const pem = (name: string) => readFileSync(file(name), 'utf8');

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function issue(name: string, subject: string, extensions: string): void {
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-subj',
    subject,
    '-out',
    `${name}.csr`,
  );
  writeFileSync(file(`${name}.ext`), extensions);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'shoal-docker-tls-'));
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-subj',
    '/CN=Shoal test CA',
    '-days',
    '1',
    '-out',
    'ca.pem',
  );
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=docker client', 'extendedKeyUsage=clientAuth\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function get(port: number, requestPath: string, client?: { cert: string; key: string }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: requestPath,
        ca: pem('ca.pem'),
        headers: { Authorization: 'Bearer acme-rw' },
        ...client,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS', () => {
  it('serves HTTPS with the configured certificate', async () => {
    const t = await startTestApi({
      tls: readTlsFiles({ cert: file('server.pem'), key: file('server.key') }),
    });
    try {
      expect(await get(t.port, '/v1.50/version')).toMatchObject({ status: 200 });
    } finally {
      await t.api.close();
    }
  });

  describe('with a CA for client certificates', () => {
    let mutual: TestApi;
    const client = () => ({ cert: pem('client.pem'), key: pem('client.key') });
    beforeAll(async () => {
      mutual = await startTestApi({
        tls: readTlsFiles({
          cert: file('server.pem'),
          key: file('server.key'),
          ca: file('ca.pem'),
        }),
      });
    });
    afterAll(() => mutual.api.close());

    it('refuses clients without a certificate from the CA', async () => {
      await expect(get(mutual.port, '/_ping')).rejects.toThrow();
      expect(await get(mutual.port, '/_ping', client())).toEqual({ status: 200, body: 'OK' });
    });

    it('keeps an attached TLS connection writing after the client half-closes', async () => {
      const created = await mutual.services.containers.create(
        'tenant-acme',
        { image: 'busybox', cmd: ['echo', 'secure'], name: 'tls-box' },
        'test',
      );
      const socket = tls.connect({
        host: '127.0.0.1',
        port: mutual.port,
        ca: pem('ca.pem'),
        ...client(),
      });
      await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
      socket.write(
        `POST /v1.50/containers/tls-box/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: docker\r\nAuthorization: Bearer acme-rw\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
      );
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.end();
      await mutual.services.containers.start('tenant-acme', created.id, 'test');
      await ended;
      const all = Buffer.concat(received);
      const body = all.subarray(all.indexOf('\r\n\r\n') + 4);
      expect(all.toString('latin1')).toMatch(/^HTTP\/1\.1 101 UPGRADED/);
      expect(unframe(body)).toEqual([{ stream: 1, text: 'secure\n' }]);
    });
  });
});
