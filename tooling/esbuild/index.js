// How Shoal's programs are compiled to run with plain `node`: Shoal's own workspace
// packages ship TypeScript, so they are bundled in; every other package stays an import
// from node_modules (native code, WebAssembly and worker files are found next to their
// package there).
import { build } from 'esbuild';

const workspaceInside = {
  name: 'workspace-inside',
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@shoal/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** Bundles for Node as ES modules, with source maps; `options` names the entries and where they go. */
export function bundleForNode(options) {
  return build({
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [workspaceInside],
    ...options,
  });
}
