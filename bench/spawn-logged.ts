/**
 * A child process for the benchmarks with its output kept as lines (shown when something fails),
 * tracked in `children` so the benchmark's exit handler can kill whatever is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export function spawnLogged(cmd: string, args: string[], cwd: string, children: Set<ChildProcess>): { child: ChildProcess; log: string[] } {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const log: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      log.push(...lines);
    });
  }
  return { child, log };
}
