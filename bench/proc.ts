/**
 * Memory of a process as Linux reports it (issue 18 §5: peak RSS is VmHWM, read from
 * /proc/<pid>/status, of a process that does nothing but the measured work).
 */
import { readFileSync, writeFileSync } from 'node:fs';

function statusKb(pid: number | 'self', key: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Peak resident set size (VmHWM) in MB. */
export const hwmMb = (pid: number | 'self' = 'self') => statusKb(pid, 'VmHWM') / 1024;

/** Current resident set size (VmRSS) in MB. */
export const rssMb = (pid: number | 'self' = 'self') => statusKb(pid, 'VmRSS') / 1024;

/**
 * Resets VmHWM to the current RSS (`5` into clear_refs, Linux ≥ 4.0), so a later hwmMb() is the
 * peak of what follows only, not of the set-up before it.
 */
export function resetHwm(pid: number | 'self' = 'self'): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
