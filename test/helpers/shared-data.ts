/**
 * The public datasets and reference fixtures of ../shared (beside the repository on our machines
 * and in CI). Too large to copy into the repository; a missing folder fails the test with a clear
 * message rather than skipping it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = [fileURLToPath(new URL('../../../shared', import.meta.url)), '/work/shared'];

export function sharedPath(relative: string): string {
  for (const root of CANDIDATES) {
    const path = `${root}/${relative}`;
    if (existsSync(path)) return path;
  }
  throw new Error(`shared data ${relative} not found in ${CANDIDATES.join(' or ')}`);
}

export function readShared(relative: string): string {
  return readFileSync(sharedPath(relative), 'utf8');
}
