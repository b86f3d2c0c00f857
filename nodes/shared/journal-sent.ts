/**
 * send() that writes what a node sends to the trade journal of its exchange. Glue: what is
 * written is decided in core/journal/journal-sent.ts.
 */
import type { Journal } from '../../core/journal/journal';
import { journalSent } from '../../core/journal/journal-sent';

export { journalSent };

/** send() that journals what it sends. */
export function journaling<F extends (out: any) => void>(journal: () => Journal | undefined, send: F): F {
  return ((out: unknown) => {
    journalSent(journal(), out);
    send(out);
  }) as F;
}
