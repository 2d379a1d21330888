/** The worker side of `startClientsInWorker`: runs the clients until the main thread says stop. */
import { parentPort, workerData } from 'node:worker_threads';
import { startClients, type Op, type OpSource } from './workload.js';

const { url, clients, phase, ops } = workerData as { url: string; clients: number; phase: string; ops: OpSource };
const exports = (await import(ops.module)) as Record<string, (data: unknown) => Op>;
const next = exports[ops.name]!;
const run = await startClients(url, clients, phase, () => next(ops.data));
parentPort!.on('message', (message: { phase?: string; stop?: true }) => {
  if (message.phase) run.phase = message.phase;
  if (message.stop) void run.stop().then((result) => parentPort!.postMessage(result));
});
parentPort!.postMessage('started');
