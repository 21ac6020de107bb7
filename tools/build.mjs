// Builds the server bundle and the browser bundles with esbuild. Browser code is
// bundled whole (no CDN, no third-party origin at run time).
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
await rm('dist', { recursive: true, force: true });
await mkdir('dist/web', { recursive: true });

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/server/main.ts'],
    outfile: 'dist/server.mjs',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: { app: 'src/web/app.ts', 'e2ee-worker': 'src/e2ee/worker/worker.ts' },
    outdir: 'dist/web',
    platform: 'browser',
    target: 'chrome120',
    format: 'esm',
    minify: !watch,
  }),
]);
await cp('src/web/static', 'dist/web', { recursive: true });
