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
  // `npm test` type-checks every package as a stage of its own; the build need not again.
  typescript: { tsconfigPath: 'tsconfig.json', ignoreBuildErrors: true },
};

export default config;
