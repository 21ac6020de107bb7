/**
 * CPU and memory of the Sabha server (this Node process) and of the Janus process
 * while three browsers hold a meeting, beside the same figures with the meeting
 * idle (baseline) in the same run. Read from /proc, so Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startBenchMeeting, timeJoinToFirstFrame } from './browser-meeting.ts';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function sample(pids: Record<string, number>, seconds: number) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, { cpuPercent: ((cpuSeconds(pid) - before[k]!) / seconds) * 100, rssMiB: rssMiB(pid) }]),
  );
}

export async function benchMeetingLoad(seconds = 10): Promise<void> {
  const m = await startBenchMeeting();
  try {
    const janusPid = Number(execFileSync('pgrep', ['-f', `${m.server.config.dataDir}/janus`]).toString().trim().split('\n')[0]);
    const pids = { 'sabha server': process.pid, janus: janusPid };
    const idle = await sample(pids, seconds);
    for (const name of ['Second', 'Third']) await timeJoinToFirstFrame(m, name);
    const busy = await sample(pids, seconds);
    process.stdout.write(`process        idle (host alone)        3 browsers in a meeting   (${seconds} s each)\n`);
    for (const k of Object.keys(pids)) {
      const a = idle[k]!;
      const b = busy[k]!;
      process.stdout.write(`${k.padEnd(14)} ${a.cpuPercent.toFixed(1).padStart(5)} % CPU ${a.rssMiB.toFixed(0).padStart(5)} MiB   ${b.cpuPercent.toFixed(1).padStart(5)} % CPU ${b.rssMiB.toFixed(0).padStart(5)} MiB\n`);
    }
    process.stdout.write('(the sabha server figure is this benchmark process, which also drives the browsers through playwright)\n');
  } finally {
    await m.close();
  }
}

if (process.argv[1]?.endsWith('meeting-load.ts')) await benchMeetingLoad();
