import { getPriority, platform } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThreadPriority } from '../../src/compute/index.ts';

describe.runIf(platform() === 'linux')('lowerThreadPriority', () => {
  it('lowers the calling thread only: a training thread yields, the event loop keeps its priority', async () => {
    const before = getPriority();
    const url = new URL('../../src/compute/priority.ts', import.meta.url).href;
    const workerNice = await new Promise<number>((resolve, reject) => {
      const worker = new Worker(
        `import { parentPort } from 'node:worker_threads'; import { getPriority } from 'node:os'; const { lowerThreadPriority } = await import(${JSON.stringify(url)}); lowerThreadPriority(10); parentPort.postMessage(getPriority());`,
        { eval: true },
      );
      worker.once('message', (nice: number) => {
        resolve(nice);
        void worker.terminate();
      });
      worker.once('error', reject);
    });
    expect(workerNice).toBe(Math.max(before, 10));
    expect(getPriority()).toBe(before);
  });

  it('leaves the priority alone for nice 0', () => {
    expect(lowerThreadPriority(0)).toBe(false);
  });
});
