// CPU time of finished child processes (go and its compilers), which says more about a build's cost than wall time
// on a shared 2-core machine. Linux only: /proc/self/stat fields cutime and cstime, in clock ticks (100 per second).
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of all waited-for children so far, or undefined where /proc is missing. */
export function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; cutime and cstime are fields 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
