#!/usr/bin/env node
// Compiles the server to one JavaScript file, dist/main.js, that production runs with plain
// `node`. Shoal's own workspace packages ship TypeScript, so they are bundled in; every other
// package stays an import from node_modules (native code, WebAssembly and worker files are
// found next to their package there).
import { build } from 'esbuild';
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

const workspaceInside = {
  name: 'workspace-inside',
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@shoal/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [path.join(serverDir, 'src/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [workspaceInside],
  banner: { js: '#!/usr/bin/env node' },
});
