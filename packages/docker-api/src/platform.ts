import { clipped } from '@shoal/core';
import { badRequest } from './errors';

/** The platform Shoal reports: `docker version`, `docker image inspect` (`docker info`: x86_64). */
export const SERVER_OS = 'linux';
export const SERVER_ARCH = 'amd64';

// The spellings Docker (containerd's platform parser) reads as amd64; v1 is amd64's baseline.
const AMD64 = new Set(['amd64', 'x86_64', 'x86-64']);

/**
 * `--platform` on a create or a pull (`os[/arch[/variant]]`). A Mesos agent runs the image
 * for its own architecture and Shoal cannot choose another, so only the platform Shoal reports
 * is taken: a container asked for as arm64 must not quietly run as something else.
 */
export function refuseOtherPlatform(platform: string | undefined): void {
  if (!platform) return;
  const parts = platform.trim().toLowerCase().split('/');
  // A lone architecture means the daemon's own OS, as Docker reads it.
  const [os, arch, variant, ...rest] =
    parts.length === 1 && AMD64.has(parts[0]!) ? [SERVER_OS, ...parts] : parts;
  if (arch !== undefined && os !== SERVER_OS) {
    throw badRequest(
      `platform "${clipped(platform)}" is not supported: Shoal runs Linux containers`,
    );
  }
  const ours =
    os === SERVER_OS &&
    (arch === undefined ||
      (AMD64.has(arch) && (variant === undefined || variant === 'v1') && rest.length === 0));
  if (!ours) {
    throw badRequest(
      `platform "${clipped(platform)}" is not supported: each Mesos agent runs the image for its own architecture, which Shoal cannot choose (it takes ${SERVER_OS}/${SERVER_ARCH}, the platform docker version reports)`,
    );
  }
}

/**
 * The `platform` of an image inspect (API 1.49), a JSON OCI platform. Shoal has one answer,
 * for the platform it reports; for any other it would describe an image it was not asked about.
 */
export function refuseOtherImagePlatform(raw: string | null): void {
  if (raw === null || raw.trim() === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest(`invalid platform: "${clipped(raw)}" is not JSON (an OCI platform)`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest(`invalid platform: "${clipped(raw)}" is not a JSON object (an OCI platform)`);
  }
  const { os, architecture, variant } = parsed as Record<string, unknown>;
  const part = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const named = [part(os) ?? SERVER_OS, part(architecture), part(variant)].filter(Boolean);
  // No architecture: the one Shoal has, as for a create naming only the OS.
  refuseOtherPlatform(named.join('/'));
}
