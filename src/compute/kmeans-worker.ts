/**
 * Worker thread of the k-means pool (pool.ts). Between fits it waits on its event loop; an `attach`
 * message hands it a fit's shared workspace, and it then serves commands from the shared control
 * block until DETACH_COMMAND: for each phase it claims chunks from the shared counter and runs the
 * engine's kernel on them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KMEANS_PHASES, createKMeansScratch, runKMeansPhase } from '../engine/index.ts';
import type { KMeansWorkspace } from '../engine/index.ts';
import { DETACH_COMMAND, POOL_CONTROL } from './pool.ts';
import { lowerThreadPriority } from './priority.ts';
import type { PoolReply, PoolRequest } from './pool.ts';

const port = parentPort;
if (port === null) throw new Error('kmeans-worker.ts runs only as a worker thread');
const { control, nice } = workerData as { control: Int32Array; nice: number };
lowerThreadPriority(nice);

port.on('message', (request: PoolRequest) => {
  if (request.type === 'attach') serve(request.workspace, request.sequence);
});

/** Serves one fit's commands, blocking this thread between them, until DETACH_COMMAND. */
function serve(workspace: KMeansWorkspace, attachedAt: number): void {
  const scratch = createKMeansScratch(workspace);
  const { chunkCount } = workspace;
  let seen = attachedAt;
  for (;;) {
    Atomics.wait(control, POOL_CONTROL.sequence, seen);
    seen = Atomics.load(control, POOL_CONTROL.sequence);
    const command = Atomics.load(control, POOL_CONTROL.command);
    if (command === DETACH_COMMAND) {
      reportDone();
      return;
    }
    const phase = KMEANS_PHASES[command]!;
    try {
      for (;;) {
        const chunk = Atomics.add(control, POOL_CONTROL.nextChunk, 1);
        if (chunk >= chunkCount) break;
        runKMeansPhase(workspace, phase, chunk, chunk + 1, scratch);
      }
    } catch (error) {
      const reply: PoolReply = { type: 'error', message: error instanceof Error ? error.message : String(error) };
      port!.postMessage(reply);
      Atomics.store(control, POOL_CONTROL.failed, 1);
    }
    reportDone();
  }
}

function reportDone(): void {
  Atomics.add(control, POOL_CONTROL.done, 1);
  Atomics.notify(control, POOL_CONTROL.done);
}
