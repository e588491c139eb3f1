import { readlinkSync } from 'node:fs';

/**
 * The OS thread id of the calling thread, for per-thread CPU sampling
 * (/proc/<pid>/task/<tid>/stat) and `currentThread().nativeId`; −1 where unknown.
 * Linux: `/proc/thread-self` links to `<pid>/task/<tid>`.
 */
export function osThreadId(): number {
  try {
    const link = readlinkSync('/proc/thread-self');
    const tid = Number(link.slice(link.lastIndexOf('/') + 1));
    return Number.isInteger(tid) ? tid : -1;
  } catch {
    return -1;
  }
}
