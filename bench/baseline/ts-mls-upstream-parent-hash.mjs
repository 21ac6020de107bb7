/**
 * Module hooks for the MLS churn benchmark's baseline: wherever ts-mls loads its parentHash.js, serve the
 * unpatched 1.6.4 file instead (made by upstream-parent-hash.mjs), so the same code runs with and without the
 * tree-hash cache of patches/ts-mls+1.6.4.patch. Loaded only by that benchmark's baseline child process:
 *   node --import tsx --import ./bench/baseline/ts-mls-upstream-parent-hash.mjs ...
 * Importing this file registers the hooks it exports (in the hooks thread, `register` is not called again).
 */
import { isMainThread } from 'node:worker_threads';
import { register } from 'node:module';
import { upstreamParentHashUrl } from './upstream-parent-hash.mjs';

const PATCHED = '/node_modules/ts-mls/dist/src/parentHash.js';
const UPSTREAM = upstreamParentHashUrl();

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  return resolved.url.endsWith(PATCHED) ? { ...resolved, url: UPSTREAM } : resolved;
}

if (isMainThread) register(import.meta.url);
