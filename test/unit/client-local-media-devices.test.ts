/**
 * LocalMedia's device choices without a browser: remembered choices (device ids only) open on the next start,
 * a remembered device that is gone falls back to the default, an unplugged device is replaced and reported,
 * and the noise suppression switch reopens the microphone when the browser does not change a live track.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LocalMedia } from '../../src/client/media/local-media.ts';
import { DEVICE_PREFERENCES_KEY, DevicePreferenceStore, type PreferenceStorage } from '../../src/client/media/device-preferences.ts';

class FakeTrack extends EventTarget {
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly label: string,
    readonly settings: MediaTrackSettings,
  ) {
    super();
  }
  getSettings(): MediaTrackSettings {
    return this.settings;
  }
  /** Like Chromium: accepted, but a live track's audio processing does not change. */
  async applyConstraints(): Promise<void> {}
  stop(): void {
    this.readyState = 'ended';
  }
}

interface Device {
  deviceId: string;
  kind: MediaDeviceKind;
  label: string;
}

class FakeDevices extends EventTarget {
  readonly opened: { kind: string; deviceId: string | undefined; noiseSuppression: unknown }[] = [];
  constructor(public devices: Device[]) {
    super();
  }
  async enumerateDevices(): Promise<Device[]> {
    return this.devices.map((d) => ({ ...d, groupId: '' }));
  }
  async getUserMedia(constraints: MediaStreamConstraints): Promise<{ getTracks(): FakeTrack[] }> {
    const kind = constraints.audio ? 'audio' : 'video';
    const c = (constraints[kind] as MediaTrackConstraints) ?? {};
    const wanted = (c.deviceId as { exact?: string } | undefined)?.exact;
    const list = this.devices.filter((d) => d.kind === (kind === 'audio' ? 'audioinput' : 'videoinput'));
    const device = wanted === undefined ? list[0] : list.find((d) => d.deviceId === wanted);
    if (!device) throw new DOMException('no such device', wanted === undefined ? 'NotFoundError' : 'OverconstrainedError');
    this.opened.push({ kind, deviceId: wanted, noiseSuppression: c.noiseSuppression });
    const settings: MediaTrackSettings = kind === 'audio' ? { deviceId: device.deviceId, noiseSuppression: c.noiseSuppression as boolean, echoCancellation: true } : { deviceId: device.deviceId };
    return { getTracks: () => [new FakeTrack(kind, device.label, settings)] };
  }
}

function memoryStorage(initial: Record<string, string> = {}): PreferenceStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const DEVICES: Device[] = [
  { deviceId: 'mic-a', kind: 'audioinput', label: 'Mic A' },
  { deviceId: 'mic-b', kind: 'audioinput', label: 'Mic B' },
  { deviceId: 'cam-a', kind: 'videoinput', label: 'Cam A' },
  { deviceId: 'cam-b', kind: 'videoinput', label: 'Cam B' },
];

function media(devices: FakeDevices, storage: PreferenceStorage): LocalMedia {
  return new LocalMedia(devices as unknown as MediaDevices, new DevicePreferenceStore(storage));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('local media device choices', () => {
  test('a chosen camera and microphone are remembered as device ids only and open on the next start', async () => {
    const storage = memoryStorage();
    const first = media(new FakeDevices(DEVICES), storage);
    await first.start({ audio: true, video: true });
    await first.selectCamera('cam-b');
    await first.selectMicrophone('mic-b');
    first.selectSpeaker('out-2');
    first.stop();
    assert.deepEqual(JSON.parse(storage.data.get(DEVICE_PREFERENCES_KEY)!), { camera: 'cam-b', microphone: 'mic-b', speaker: 'out-2' });

    const devices = new FakeDevices(DEVICES);
    const next = media(devices, storage);
    await next.start({ audio: true, video: true });
    assert.equal(next.videoTrack?.label, 'Cam B');
    assert.equal(next.audioTrack?.label, 'Mic B');
    assert.equal(next.outputDeviceId, 'out-2');
  });

  test('a remembered device that is not here today gives the default one, not an error', async () => {
    const storage = memoryStorage({ [DEVICE_PREFERENCES_KEY]: JSON.stringify({ camera: 'gone', microphone: 'gone' }) });
    const m = media(new FakeDevices(DEVICES), storage);
    const errors: string[] = [];
    m.on('error', (kind) => errors.push(kind));
    await m.start({ audio: true, video: true });
    assert.equal(m.videoTrack?.label, 'Cam A');
    assert.equal(m.audioTrack?.label, 'Mic A');
    assert.deepEqual(errors, []);
  });

  test('stored preferences that are malformed or carry unknown fields count as none', async () => {
    for (const raw of ['{not json', JSON.stringify({ camera: 'cam-b', label: 'Asha’s camera' }), JSON.stringify({ camera: 7 })]) {
      assert.deepEqual(new DevicePreferenceStore(memoryStorage({ [DEVICE_PREFERENCES_KEY]: raw })).load(), {});
    }
  });

  test('an unplugged camera is replaced by the default one and reported; the new track is handed on', async () => {
    const devices = new FakeDevices(DEVICES);
    const m = media(devices, memoryStorage());
    await m.start({ audio: true, video: true });
    await m.selectCamera('cam-b');
    const tracks: (string | null)[] = [];
    const lost: [string, string | null][] = [];
    m.on('track', (kind, track) => kind === 'video' && tracks.push(track?.label ?? null));
    m.on('device-lost', (kind, now) => lost.push([kind, now]));
    devices.devices = DEVICES.filter((d) => d.deviceId !== 'cam-b');
    (m.videoTrack as unknown as FakeTrack).stop();
    (m.videoTrack as unknown as EventTarget).dispatchEvent(new Event('ended'));
    await settle();
    await settle();
    assert.deepEqual(tracks, ['Cam A']);
    assert.deepEqual(lost, [['video', 'Cam A']]);
  });

  test('devicechange that no longer lists the microphone in use switches to the default one', async () => {
    const devices = new FakeDevices(DEVICES);
    const m = media(devices, memoryStorage());
    await m.start({ audio: true, video: false });
    await m.selectMicrophone('mic-b');
    const lost: [string, string | null][] = [];
    m.on('device-lost', (kind, now) => lost.push([kind, now]));
    devices.devices = DEVICES.filter((d) => d.deviceId !== 'mic-b');
    devices.dispatchEvent(new Event('devicechange'));
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(m.audioTrack?.label, 'Mic A');
    assert.deepEqual(lost, [['audio', 'Mic A']]);
  });

  test('noise suppression off reopens the same microphone without it, keeps echo cancellation, and is remembered', async () => {
    const devices = new FakeDevices(DEVICES);
    const storage = memoryStorage();
    const m = media(devices, storage);
    await m.start({ audio: true, video: false });
    await m.selectMicrophone('mic-b');
    m.setMicEnabled(false);
    await m.setNoiseSuppression(false);
    assert.equal(m.audioTrack?.getSettings().noiseSuppression, false);
    assert.equal(m.audioTrack?.getSettings().echoCancellation, true);
    assert.equal(m.audioTrack?.label, 'Mic B', 'the same microphone');
    assert.equal(m.audioTrack?.enabled, false, 'still muted');
    assert.deepEqual(devices.opened.at(-1), { kind: 'audio', deviceId: 'mic-b', noiseSuppression: false });
    assert.equal(JSON.parse(storage.data.get(DEVICE_PREFERENCES_KEY)!).noiseSuppression, false);
  });
});
