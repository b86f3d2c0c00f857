/**
 * The notifier's decisions: which messages become notifications (kinds), how often (a minimum
 * interval per kind), and how bursts are combined (a batch window: texts arriving within it go
 * out as one message). Rendering uses the kind's template; delivery is the queues' job.
 */
import { kindOf, type NotifyKind } from './kinds';
import { DEFAULT_TEMPLATES, renderTemplate, type TextFormat } from './templates';
import { fitText, TELEGRAM_MAX_TEXT, visibleLength } from './telegram-text';

export interface NotifierSettings {
  kinds: NotifyKind[];
  /** Per kind: at most one notification per this many ms (the others are skipped, and counted). */
  minIntervalMs: Partial<Record<NotifyKind, number>>;
  /** Texts within this window are joined into one message (0: each goes alone). */
  batchWindowMs: number;
  /** Template overrides per kind; the defaults cover every kind. */
  templates: Partial<Record<NotifyKind, string>>;
}

export type NotifyOutcome = { kind: NotifyKind; skipped: string } | { kind: NotifyKind; texts: Map<TextFormat, string> };

/** Telegram's limit per message (visible characters, see telegram-text.ts); longer batches are split. */
export const MAX_TEXT = TELEGRAM_MAX_TEXT;

export class Notifier {
  private readonly lastSent = new Map<NotifyKind, number>();
  private batch = new Map<TextFormat, string[]>();
  private batchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly s: NotifierSettings,
    private readonly formats: TextFormat[],
    /** Receives each finished text per format (after batching). */
    private readonly emit: (format: TextFormat, text: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  notify(msg: Record<string, any>): NotifyOutcome {
    const kind = kindOf(msg);
    if (!this.s.kinds.includes(kind)) return { kind, skipped: `${kind} is not selected` };
    const interval = this.s.minIntervalMs[kind];
    const last = this.lastSent.get(kind);
    const now = this.now();
    if (interval && last !== undefined && now - last < interval) return { kind, skipped: `another ${kind} ${Math.round((now - last) / 1000)} s ago` };
    this.lastSent.set(kind, now);
    const template = this.s.templates[kind] || DEFAULT_TEMPLATES[kind];
    const texts = new Map(this.formats.map((f) => [f, renderTemplate(template, msg, f)] as const));
    for (const [format, text] of texts) this.queue(format, text);
    return { kind, texts };
  }

  /** Sends what is batched now (on close too, so nothing batched is lost on redeploy). */
  flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const batch = this.batch;
    this.batch = new Map();
    for (const [format, texts] of batch) for (const chunk of joinWithin(texts, MAX_TEXT, format)) this.emit(format, chunk);
  }

  private queue(format: TextFormat, text: string): void {
    if (!this.s.batchWindowMs) {
      for (const chunk of joinWithin([text], MAX_TEXT, format)) this.emit(format, chunk);
      return;
    }
    const list = this.batch.get(format) ?? [];
    list.push(text);
    this.batch.set(format, list);
    this.batchTimer ??= setTimeout(() => this.flush(), this.s.batchWindowMs);
  }
}

/**
 * Joins texts with blank lines into as few chunks of at most `max` visible characters (as
 * Telegram counts them, markup excluded) as possible; a text longer than that alone is cut
 * validly (fitText: never inside a tag or an escape, open tags closed, "…" at the cut).
 */
export function joinWithin(texts: string[], max: number, format: TextFormat = 'plain'): string[] {
  const chunks: string[] = [];
  let current = '';
  let currentLength = 0;
  for (const t of texts) {
    const text = fitText(format, t, max);
    const length = visibleLength(format, text);
    if (current && currentLength + 2 + length > max) {
      chunks.push(current);
      current = '';
      currentLength = 0;
    }
    current = current ? `${current}\n\n${text}` : text;
    currentLength += (currentLength ? 2 : 0) + length;
  }
  if (current) chunks.push(current);
  return chunks;
}
