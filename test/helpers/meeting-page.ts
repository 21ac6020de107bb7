/**
 * Reading and driving the meeting page in a real browser (Playwright), shared by the browser suites: the side
 * panels, how a meeting ended, and the end-to-end encryption checks that every member agrees on the group and
 * decodes everyone else.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { e2ee, inboundFrom, join, stats, waitFor, type E2eeDebug } from '../browser/browser.ts';

/** A person in a meeting: a page and the participant id it was given. */
export interface MeetingPerson {
  name: string;
  page: Page;
  id: string;
}

/** Opens the participants or security panel unless it is open already. */
export async function openPanel(page: Page, name: 'participants' | 'security'): Promise<void> {
  const panel = name === 'participants' ? 'participants-list' : 'security-panel';
  if (!(await page.getByTestId(panel).isVisible())) await page.getByTestId(`${name}-button`).click();
  await page.getByTestId(panel).waitFor();
}

/**
 * `page`, already open on the meeting's participant link, joins as `name` and waits in the waiting room; the
 * host (its participants panel opened) admits it. It then unmutes: people join muted, and a muted
 * microphone is not forwarded.
 */
export async function joinThroughWaitingRoom(host: Page, page: Page, name: string): Promise<MeetingPerson> {
  await join(page, name);
  await page.getByTestId('waiting-waiting-room').waitFor({ timeout: 20_000 });
  await openPanel(host, 'participants');
  const entry = host.getByTestId('waiting-entry').filter({ hasText: name });
  await entry.waitFor({ timeout: 10_000 });
  const id = (await entry.getAttribute('data-participant-id'))!;
  await host.getByTestId(`admit-${id}`).click();
  await page.getByTestId('meeting').waitFor({ timeout: 20_000 });
  await page.getByTestId('mic-button').click();
  return { name, page, id };
}

/** Waits for the "meeting ended" screen and returns the reason it names. */
export async function endedReason(page: Page): Promise<string | null> {
  const ended = page.getByTestId('meeting-ended');
  await ended.waitFor({ timeout: 20_000 });
  return ended.getAttribute('data-reason');
}

/** What the page's debug hook says beyond E2eeDebug: the resync flag and the problems counted so far. */
export type E2eeState = E2eeDebug & { resyncing: boolean; problems: Record<string, number> };

/** The page's E2EE state, read through its debug hook. */
export const e2eeState = async (p: MeetingPerson): Promise<E2eeState> => (await e2ee(p.page)) as E2eeState;

/**
 * Every person is keyed at the same epoch, nobody resyncing, with a group of exactly these people; returns
 * their states.
 */
export async function settledGroup(people: readonly MeetingPerson[], timeoutMs = 30_000): Promise<E2eeState[]> {
  const ids = JSON.stringify(people.map((p) => p.id).sort());
  const agreed = (states: E2eeState[]) =>
    states.every((s) => s.state === 'ready' && !s.resyncing && s.epoch === states[0]!.epoch && JSON.stringify([...s.members].sort()) === ids);
  const states = await waitFor(() => Promise.all(people.map(e2eeState)), agreed, timeoutMs);
  assert.ok(agreed(states), `everyone is keyed at one epoch with the same group: ${JSON.stringify(states.map((s) => [s.state, s.epoch, s.resyncing, s.members.length]))}`);
  return states;
}

/** Each viewer decodes video frames and audio samples from each other person, growing now. */
export async function everyoneDecodesEveryone(people: readonly MeetingPerson[]): Promise<void> {
  for (const viewer of people) {
    for (const other of people) {
      if (other === viewer) continue;
      const read = async () => inboundFrom(await stats(viewer.page), other.id);
      const first = await read();
      const last = await waitFor(read, (v) => v.videoFrames >= first.videoFrames + 30 && v.audioSamples >= first.audioSamples + 48_000, 25_000);
      if (last.videoFrames < first.videoFrames + 30 || last.audioSamples < first.audioSamples + 48_000) {
        // Say why: packets arriving but not decoding points at keys, no packets at the SFU.
        const packets = (await stats(viewer.page)).streams.filter((x) => x.direction === 'inbound' && x.participantId === other.id).map((x) => `${x.kind}:${x.packets}`);
        const failures = (await e2ee(viewer.page))?.decryptFailures[other.id] ?? 0;
        assert.fail(`${viewer.name} decodes ${other.name}'s media: video ${first.videoFrames} → ${last.videoFrames}, audio samples ${first.audioSamples} → ${last.audioSamples}; packets ${packets.join(' ')}, frames dropped undecryptable ${failures}`);
      }
    }
  }
}
