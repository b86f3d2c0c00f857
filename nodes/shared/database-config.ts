import type { Node } from 'node-red';
import type { JournalStore } from '../../core/journal/types';

/** A tradebot-database config node as other nodes see it: the journal store on its server, or why there is none. */
export interface DatabaseConfigNode extends Node {
  /** A store on the node's server (one per exchange node; they share the node's connection pool). */
  journalStore?: () => JournalStore;
  configError?: string;
}
