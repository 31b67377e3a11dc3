#!/usr/bin/env node
// `next build` with output: 'standalone' leaves the browser assets out of the standalone
// server's folder (a CDN may serve them); Shoal's dashboard serves them itself.
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const standalone = path.join(webDir, '.next', 'standalone', 'apps', 'web');
if (!existsSync(standalone))
  throw new Error(`next build left no standalone server in ${standalone}`);
cpSync(path.join(webDir, '.next', 'static'), path.join(standalone, '.next', 'static'), {
  recursive: true,
});
if (existsSync(path.join(webDir, 'public'))) {
  cpSync(path.join(webDir, 'public'), path.join(standalone, 'public'), { recursive: true });
}
