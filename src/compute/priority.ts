/**
 * CPU priority of the threads that train. On Linux the nice value belongs to each thread, and
 * setpriority(PRIO_PROCESS, 0, …) (os.setPriority without a pid) changes only the calling thread: a
 * training thread that raises its own nice value leaves the event loop serving /v1/assign at full
 * priority, so a training on a small machine slows requests far less. Elsewhere the call would change
 * the whole process, so it is made on Linux only.
 */
import { platform, setPriority } from 'node:os';

/**
 * Lowers the calling thread's priority to `nice` (0 = unchanged, up to 19 = lowest).
 * @returns whether the priority was changed (false on other systems or when refused).
 */
export function lowerThreadPriority(nice: number): boolean {
  if (nice <= 0 || platform() !== 'linux') return false;
  try {
    setPriority(nice);
    return true;
  } catch {
    // Lowering one's own priority needs no privilege; a sandbox may still refuse it. Training then runs as before.
    return false;
  }
}
