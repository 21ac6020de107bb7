/**
 * The committed media fixtures (test/fixtures/media, made by tools/make-media-fixtures.sh), read once per
 * process and shared by every synthetic participant.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIvf, type IvfClip } from './ivf.ts';
import { parseOggOpus, type OpusClip } from './ogg-opus.ts';

export interface MediaFixtures {
  /** Simulcast layers, lowest first: 320x180, 640x360, 1280x720. */
  readonly camera: readonly [IvfClip, IvfClip, IvfClip];
  /** A loud, speech-like signal: what a talking microphone sends. */
  readonly voice: OpusClip;
  /** Digital silence. */
  readonly silence: OpusClip;
}

const DIR = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));
let loaded: MediaFixtures | undefined;

export function mediaFixtures(): MediaFixtures {
  if (loaded !== undefined) return loaded;
  const read = (name: string) => new Uint8Array(readFileSync(DIR + name));
  loaded = {
    camera: [parseIvf(read('camera-low.ivf')), parseIvf(read('camera-medium.ivf')), parseIvf(read('camera-high.ivf'))],
    voice: parseOggOpus(read('voice.opus')),
    silence: parseOggOpus(read('silence.opus')),
  };
  return loaded;
}
