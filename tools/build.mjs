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
  // The `sabha` command line (user add|disable|enable|reset|list): src/server/cli.ts.
  build({
    ...common,
    entryPoints: ['src/server/cli.ts'],
    outfile: 'dist/sabha.mjs',
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

// Devanagari for the Hindi pages, served from Sabha's own origin (the CSP allows fonts from 'self' only):
// Noto Sans Devanagari from the npm package, the Devanagari subset in the weights the styles use, with its
// licence (SIL OFL 1.1, which asks that it goes along). src/web/static/fonts.css declares them.
const fontPackage = 'node_modules/@fontsource/noto-sans-devanagari';
await mkdir('dist/web/fonts', { recursive: true });
await Promise.all([
  ...[400, 500, 600, 700].map((weight) => {
    const file = `noto-sans-devanagari-devanagari-${weight}-normal.woff2`;
    return cp(`${fontPackage}/files/${file}`, `dist/web/fonts/${file}`);
  }),
  cp(`${fontPackage}/LICENSE`, 'dist/web/fonts/OFL.txt'),
]);

// Background blur: the selfie segmentation model and its WebAssembly runtime from the npm package
// @mediapipe/selfie_segmentation (Apache-2.0), served from Sabha's own origin under /segmentation/ and
// loaded only when someone turns blur on (src/client/media/background-blur.ts). Nothing is fetched from
// elsewhere; the CSP's 'wasm-unsafe-eval' lets the page compile this WebAssembly (docs/threat-model.md).
const segmentationPackage = 'node_modules/@mediapipe/selfie_segmentation';
await mkdir('dist/web/segmentation', { recursive: true });
await Promise.all(
  [
    'selfie_segmentation.js',
    'selfie_segmentation.binarypb',
    'selfie_segmentation.tflite',
    'selfie_segmentation_landscape.tflite',
    'selfie_segmentation_solution_simd_wasm_bin.js',
    'selfie_segmentation_solution_simd_wasm_bin.wasm',
    'selfie_segmentation_solution_simd_wasm_bin.data',
    'selfie_segmentation_solution_wasm_bin.js',
    'selfie_segmentation_solution_wasm_bin.wasm',
  ].map((file) => cp(`${segmentationPackage}/${file}`, `dist/web/segmentation/${file}`)),
);
