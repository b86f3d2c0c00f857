/**
 * Node-RED embedded in a benchmark process: its settings (loopback only, no telemetry), its
 * warn/error log kept for the report, and a wait for the deployed nodes to run.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Start-up warnings every fresh user dir gets: not reported. */
export const EXPECTED_WARNINGS = [/Encrypted credentials not found/, /Projects disabled/];

/** Node-RED's log lines at warn and above, as the run saw them; listeners see each as it comes. */
export class BenchLog {
  readonly lines: string[] = [];
  readonly listeners = new Set<(line: string) => void>();

  add(line: string): void {
    this.lines.push(line);
    for (const l of this.listeners) l(line);
  }

  /** Lines that are not the expected start-up warnings. */
  unexpected(): string[] {
    return this.lines.filter((l) => !EXPECTED_WARNINGS.some((re) => re.test(l)));
  }
}

export interface EmbeddedSettingsOptions {
  userDir: string;
  port: number;
  credentialSecret: string;
  log: BenchLog;
  /** Node-RED's own console logger: 'off' keeps the benchmark's output clean. */
  consoleLevel?: 'off' | 'warn';
}

export function embeddedSettings(o: EmbeddedSettingsOptions): Record<string, unknown> {
  return {
    userDir: o.userDir,
    flowFile: 'flows.json',
    uiHost: '127.0.0.1',
    uiPort: o.port,
    credentialSecret: o.credentialSecret,
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    editorTheme: { tours: false },
    logging: {
      console: { level: o.consoleLevel ?? 'warn', metrics: false, audit: false },
      bench: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (msg: { level: number; msg: unknown; type?: string; id?: string }) => {
          o.log.add(`[${msg.level <= 20 ? 'error' : 'warn'}]${msg.type ? ` [${msg.type}:${msg.id}]` : ''} ${String(msg.msg)}`);
        },
      },
    },
  };
}

/** The deployed nodes by id, once every one runs; throws with the log after `timeoutMs`. */
export async function runningNodes<N>(nodes: { getNode(id: string): N | null }, ids: string[], log: BenchLog, timeoutMs = 15_000): Promise<Map<string, N>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = new Map(ids.map((id) => [id, nodes.getNode(id)] as const));
    const missing = [...found].filter(([, n]) => !n).map(([id]) => id);
    if (!missing.length) return found as Map<string, N>;
    if (Date.now() > deadline) throw new Error(`nodes not running after ${timeoutMs / 1000} s: ${missing.join(', ')}\n${log.lines.join('\n')}`);
    await sleep(50);
  }
}
