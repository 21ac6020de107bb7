/**
 * What a browser asks to receive: only the videos its layout draws, at the quality each tile needs, and
 * the microphones of the people who talk, within the slot limits whatever the meeting's size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_AUDIO_SLOTS, MAX_VIDEO_SLOTS, type ParticipantInfo, type PublicationInfo } from '../../src/protocol/index.ts';
import { subscriptionFor, type PolicyInput } from '../../src/client/media/subscription-policy.ts';
import { SpeakerHistory } from '../../src/client/media/speakers.ts';

const id = (n: number) => n.toString(16).padStart(16, '0');

function meeting(size: number, opts: { audio?: (n: number) => boolean; video?: (n: number) => boolean } = {}) {
  const participants = new Map<string, ParticipantInfo>();
  const publications: PublicationInfo[] = [];
  for (let n = 0; n < size; n++) {
    participants.set(id(n), {
      id: id(n), name: `P${n}`, role: n === 0 ? 'host' : 'participant',
      audio: opts.audio?.(n) ?? false, video: opts.video?.(n) ?? true, screen: false, mayShareScreen: n === 0, reconnecting: false,
    });
    publications.push({ id: `${id(n)}-camera`, participantId: id(n), source: 'camera' });
  }
  return { participants, publications };
}

function input(m: ReturnType<typeof meeting>, extra: Partial<PolicyInput> = {}): PolicyInput {
  return { selfId: id(0), publications: m.publications, participants: m.participants, visible: null, rankSpeakers: (ids) => [...ids], qualityCap: 'high', ...extra };
}

describe('the subscription policy', () => {
  it('subscribes to exactly the visible videos at their tiles’ quality, never to oneself', () => {
    const m = meeting(100);
    const visible = [1, 2, 3, 4].map((n) => ({ participantId: id(n), source: 'camera' as const, quality: n === 1 ? ('high' as const) : ('low' as const) }));
    const request = subscriptionFor(input(m, { visible: [...visible, { participantId: id(0), source: 'camera', quality: 'low' }] }));
    assert.deepEqual(request.video, visible.map((v) => ({ publicationId: `${v.participantId}-camera`, quality: v.quality })));
  });

  it('asks for no slot for a camera that is off, and puts screen shares first at high quality', () => {
    const m = meeting(4, { video: (n) => n !== 2 });
    m.publications.push({ id: `${id(3)}-screen`, participantId: id(3), source: 'screen' });
    const request = subscriptionFor(input(m, { visible: [
      { participantId: id(1), source: 'camera', quality: 'medium' },
      { participantId: id(2), source: 'camera', quality: 'medium' },
      { participantId: id(3), source: 'screen', quality: 'low' },
    ] }));
    assert.deepEqual(request.video, [{ publicationId: `${id(3)}-screen`, quality: 'high' }, { publicationId: `${id(1)}-camera`, quality: 'medium' }]);
  });

  it('never asks for more videos than there are slots, and caps the quality under congestion', () => {
    const m = meeting(100);
    const visible = [...m.participants.keys()].map((p) => ({ participantId: p, source: 'camera' as const, quality: 'high' as const }));
    const request = subscriptionFor(input(m, { visible, qualityCap: 'low' }));
    assert.equal(request.video.length, MAX_VIDEO_SLOTS);
    assert.ok(request.video.every((v) => v.quality === 'low'));
  });

  it('receives every unmuted microphone while they fit, and the people talking now and lately when they do not', () => {
    const few = meeting(10, { audio: (n) => n % 2 === 1 });
    assert.deepEqual([...subscriptionFor(input(few)).audio].sort(), [1, 3, 5, 7, 9].map((n) => `${id(n)}-camera`));

    const many = meeting(100, { audio: () => true });
    const speakers = new SpeakerHistory();
    speakers.handleSpeaking(id(70), true);
    speakers.handleSpeaking(id(80), true);
    speakers.handleSpeaking(id(80), false);
    speakers.handleSpeaking(id(90), true);
    const audio = subscriptionFor(input(many, { rankSpeakers: (ids) => speakers.rank(ids) })).audio;
    assert.equal(audio.length, MAX_AUDIO_SLOTS);
    assert.deepEqual(audio.slice(0, 3), [`${id(90)}-camera`, `${id(70)}-camera`, `${id(80)}-camera`], 'talking now, then the latest talker');
    assert.ok(!audio.includes(`${id(0)}-camera`), 'never one’s own microphone');
  });

  it('falls back to screens and a first page of cameras before the layout says what it shows', () => {
    const m = meeting(60);
    const request = subscriptionFor(input(m));
    assert.equal(request.video.length, 25);
    assert.ok(request.video.every((v) => v.quality === 'medium'));
  });
});
