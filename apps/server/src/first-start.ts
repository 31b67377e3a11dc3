import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FirstStartResult } from '@shoal/core';

export interface FirstStartNotes {
  text: string;
  file: string;
}

/**
 * Writes what first start created where its operator can find it again: the
 * one-time logins in a file only the owner may read (as Jenkins does with its
 * initial admin password) and a Docker CLI config per demo tenant.
 */
export function writeFirstStartNotes(
  seeded: FirstStartResult,
  dataDir: string,
  urls: { dashboard: string; dockerHost?: string },
): FirstStartNotes {
  mkdirSync(dataDir, { recursive: true });
  const lines = [
    'Shoal first start',
    '',
    `Dashboard: ${urls.dashboard}`,
    '',
    'Logins (change these passwords at first sign-in):',
  ];
  for (const login of seeded.logins)
    lines.push(`  ${login.role.padEnd(18)} ${login.email}  ${login.password}`);

  for (const tenant of seeded.tenants) {
    const configDir = path.resolve(dataDir, 'docker', tenant.slug);
    mkdirSync(configDir, { recursive: true });
    const configFile = path.join(configDir, 'config.json');
    writeFileSync(
      configFile,
      `${JSON.stringify({ HttpHeaders: { Authorization: `Bearer ${tenant.token}` } }, null, 2)}\n`,
    );
    chmodSync(configFile, 0o600);
    lines.push('', `Docker CLI as tenant ${tenant.slug} (Mesos role ${tenant.mesosRole}):`);
    if (urls.dockerHost) {
      lines.push(
        `  export DOCKER_HOST=${urls.dockerHost} DOCKER_CONFIG=${configDir}`,
        '  docker run -d --name web -m 128m nginx',
      );
    } else {
      lines.push(
        `  DOCKER_CONFIG=${configDir} (the Docker API front door is not enabled in this build)`,
      );
    }
  }
  const file = path.resolve(dataDir, 'first-start.txt');
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  return { text, file };
}
