import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // Workspace packages ship TypeScript source.
  transpilePackages: ['@shoal/config'],
  poweredByHeader: false,
  // A self-contained server (.next/standalone) that production runs with plain node; the
  // trace starts at the repository's root because the dashboard imports workspace packages.
  output: 'standalone',
  outputFileTracingRoot: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..'),
  typescript: { tsconfigPath: 'tsconfig.json' },
};

export default config;
