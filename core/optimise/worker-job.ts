/**
 * The worker side of worker-pool.ts: a worker module calls serveJobs(handler) once, and every
 * job the pool sends is answered with the handler's result or its error (a thrown job never
 * kills the thread). Jobs run one at a time per thread.
 */
import { parentPort } from 'node:worker_threads';

export interface JobRequest<J> {
  index: number;
  job: J;
}
export type JobReply<R> = { index: number; ok: true; result: R } | { index: number; ok: false; error: string };

export function serveJobs<J, R>(handler: (job: J) => R | Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs inside a worker thread started by WorkerPool');
  port.on('message', async ({ index, job }: JobRequest<J>) => {
    let reply: JobReply<R>;
    try {
      reply = { index, ok: true, result: await handler(job) };
    } catch (err) {
      reply = { index, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
