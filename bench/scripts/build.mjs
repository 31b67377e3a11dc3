#!/usr/bin/env node
// Compiles the benchmarks, the tenants' client process and the Mesos emulator to
// JavaScript in bench/dist, as the server is compiled for production (@shoal/esbuild-config):
// a benchmark measures the code production runs. Under a TypeScript loader that keeps
// function names, every closure is renamed as it is made, which cost Shoal's process and
// the emulator's about a tenth of their CPU per launch.
import { bundleForNode } from '@shoal/esbuild-config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = (file) => path.join(benchDir, 'src', file);

await bundleForNode({
  entryPoints: {
    'framework-launch': source('framework-launch.ts'),
    'docker-load': source('docker-load.ts'),
    'emulator-ceiling': source('emulator-ceiling.ts'),
    'agent-listing': source('agent-listing.ts'),
    'leader-passes': source('leader-passes.ts'),
    'request-cost': source('request-cost.ts'),
    'tenant-phases': source('tenant-phases.ts'),
    emulator: path.join(benchDir, '..', 'packages', 'mesos-sim', 'src', 'cli.ts'),
  },
  outdir: path.join(benchDir, 'dist'),
  outExtension: { '.js': '.mjs' },
});
