/**
 * Time from clicking Join (host already present) to the first decoded remote video
 * frame, median of 10 joins on localhost, every one end-to-end encrypted. The baseline
 * in the same run is the time to the meeting view (signalling), so the media and key
 * part stands out.
 */
import { median, startBenchMeeting, timeJoinToFirstFrame } from './browser-meeting.ts';

export async function benchJoinTime(runs = 10): Promise<void> {
  const m = await startBenchMeeting();
  try {
    const times: number[] = [];
    const joined: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { page, ms, joinedMs } = await timeJoinToFirstFrame(m, `Joiner ${i}`);
      times.push(ms);
      joined.push(joinedMs);
      await page.context().close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    process.stdout.write(
      `join → meeting view (baseline: signalling)   median ${median(joined).toFixed(0)} ms\n` +
        `join → first decoded remote video frame      median ${median(times).toFixed(0)} ms, min ${sorted[0]} ms, max ${sorted.at(-1)} ms ` +
        `(${runs} joins, E2EE; target < 1000 ms)\n`,
    );
  } finally {
    await m.close();
  }
}

if (process.argv[1]?.endsWith('join-time.ts')) await benchJoinTime();
