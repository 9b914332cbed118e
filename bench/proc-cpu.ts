// CPU time from /proc (Linux): what a bench charges to a renderer, its threads, ffmpeg or PostgreSQL.
import fs from 'node:fs';

/** Clock ticks a second of /proc's times (USER_HZ). */
const USER_HZ = 100;

interface ProcCpu {
  /** The process's (or thread's) name, as /proc gives it. */
  name: string;
  /** Its own CPU seconds, user + system. */
  own: number;
  /** CPU seconds of its children that have exited and been waited for (cutime + cstime). */
  children: number;
}

/** A /proc `stat` file read, or null when the process or thread has ended. */
export function readProcCpu(statPath: string): ProcCpu | null {
  let stat: string;
  try {
    stat = fs.readFileSync(statPath, 'utf8');
  } catch {
    return null;
  }
  // The name is in parentheses and may hold spaces or parentheses itself: the fields start after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    own: (Number(fields[11]) + Number(fields[12])) / USER_HZ,
    children: (Number(fields[13]) + Number(fields[14])) / USER_HZ,
  };
}

/** CPU seconds a running process has used (user + system): the renderer's cost per session. */
export function cpuSeconds(pid: number): number {
  const cpu = readProcCpu(`/proc/${pid}/stat`);
  if (!cpu) throw new Error(`Process ${pid} has ended.`);
  return cpu.own;
}

/** CPU seconds of this process's children that have exited (ffmpeg runs). */
export function exitedChildrenCpuSeconds(): number {
  return readProcCpu('/proc/self/stat')!.children;
}

/** CPU seconds of every process of this machine named `name`, with their exited children (a backend that ended). */
export function cpuSecondsNamed(name: string): number {
  let seconds = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cpu = readProcCpu(`/proc/${pid}/stat`);
    if (cpu?.name === name) seconds += cpu.own + cpu.children;
  }
  return seconds;
}
