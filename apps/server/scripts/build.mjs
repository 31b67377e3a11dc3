#!/usr/bin/env node
// Compiles the server to one JavaScript file, dist/main.js, that production runs with plain
// `node` (see @shoal/esbuild-config for what is bundled in and what is not).
import { bundleForNode } from '@shoal/esbuild-config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// `--outfile <path>` puts the bundle elsewhere (the tests build their own beside dist/, at
// the same depth, so that it finds what the server looks for above it).
const outfileFlag = process.argv.indexOf('--outfile');
const outfile =
  outfileFlag === -1
    ? path.join(serverDir, 'dist/main.js')
    : path.resolve(process.argv[outfileFlag + 1] ?? '');

await bundleForNode({
  entryPoints: [path.join(serverDir, 'src/main.ts')],
  outfile,
  banner: { js: '#!/usr/bin/env node' },
});
