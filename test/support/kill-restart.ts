/**
 * What the kill -9 tests share: waiting for a condition in a running Node-RED, and reading the
 * JSON-lines files its flow appends to, where a kill can leave a last line half written.
 */
import fs from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves with the probe's first truthy value; throws after `timeoutMs` naming `what` (and the
 * context, e.g. the Node-RED log). `pollMs`: how often to ask (a kill test times its kill by it).
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string, context: () => string = () => '', pollMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${context() ? `\n${context()}` : ''}`);
    await sleep(pollMs);
  }
}

/** JSON lines of a file; a last line cut short (the writer was killed mid-write) is left out. */
export function readJsonLines(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  const out: any[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* only the last line can be partial: see cutPartialLine */
    }
  }
  return out;
}

/** After a SIGKILL: drops a half-written last line, so the next run appends on a line of its own. Returns the characters dropped. */
export function cutPartialLine(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const text = fs.readFileSync(file, 'utf8');
  const keep = text.lastIndexOf('\n') + 1;
  if (keep < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, keep)));
  return text.length - keep;
}
