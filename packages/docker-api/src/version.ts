import { SHOAL_VERSION } from '@shoal/core';
import { badRequest } from './errors';
import { SERVER_ARCH, SERVER_OS } from './platform';

// The range of Docker Engine API versions whose wire format Shoal speaks.
// 1.24 is the oldest any current client falls back to; 1.50 is what Docker 28
// clients ask for.
export const MIN_API_VERSION = '1.24';
export const MAX_API_VERSION = '1.50';

export const SERVER_NAME = `shoal/${SHOAL_VERSION}`;

const PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

/** Numeric comparison of "1.9" < "1.24" style versions. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * Splits `/v1.45/containers/json` into the version the client asked for and
 * the route path; a path without a prefix speaks the newest version, as
 * Docker's daemon does.
 */
export function splitVersion(path: string): { apiVersion: string; path: string } {
  const match = PREFIX.exec(path);
  if (!match) return { apiVersion: MAX_API_VERSION, path };
  const [, apiVersion = MAX_API_VERSION, rest = '/'] = match;
  if (compareApiVersions(apiVersion, MAX_API_VERSION) > 0) {
    throw badRequest(
      `client version ${apiVersion} is too new. Maximum supported API version is ${MAX_API_VERSION}`,
    );
  }
  if (compareApiVersions(apiVersion, MIN_API_VERSION) < 0) {
    throw badRequest(
      `client version ${apiVersion} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    );
  }
  return { apiVersion, path: rest };
}

/** Headers every answer carries, so clients can negotiate from any response. */
export const VERSION_HEADERS: Readonly<Record<string, string>> = {
  'Api-Version': MAX_API_VERSION,
  Server: `${SERVER_NAME} (linux)`,
};

/** The headers Docker's daemon sends on /_ping; the CLI reads them to negotiate. */
export const PING_HEADERS: Readonly<Record<string, string>> = {
  ...VERSION_HEADERS,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  // BuildKit needs the daemon's session endpoint, which Shoal does not have.
  'Builder-Version': '1',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};

/** GET /version. Components lists Shoal itself; there is no local engine behind it. */
export function versionBody() {
  const build = {
    GitCommit: 'unknown',
    GoVersion: `node ${process.versions.node}`,
    Os: SERVER_OS,
    Arch: SERVER_ARCH,
    // Containers run on Mesos agents, each with its own kernel.
    KernelVersion: 'n/a',
    BuildTime: '',
  };
  return {
    Platform: { Name: 'Shoal (Docker Engine API for Apache Mesos)' },
    Components: [
      {
        Name: 'Engine',
        Version: SERVER_NAME,
        Details: {
          ...build,
          ApiVersion: MAX_API_VERSION,
          MinAPIVersion: MIN_API_VERSION,
          Experimental: 'false',
        },
      },
    ],
    Version: SERVER_NAME,
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    ...build,
  };
}
