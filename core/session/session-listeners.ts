/**
 * Who hears an exchange session: every place-order node hears the trading statuses (trouble and
 * recovery the account and the live executor meet), and the newest one hears the drift and
 * lifecycle events, so each event goes out once. A node that throws is the node's failure, not
 * the session's: it is written to the log and the others still hear.
 */
import { errorText, type Logger } from '../logger';
import type { TradingStatus } from '../trading/executor';
import type { SessionEvent } from './session-types';

/** Events from before anyone listens (the start, at deploy) are kept up to this many. */
const MAX_UNHEARD_EVENTS = 100;

export class SessionListeners {
  private readonly statusListeners = new Set<(status: TradingStatus) => void>();
  private eventListener: ((event: SessionEvent) => void) | undefined;
  private unheard: SessionEvent[] = [];

  constructor(private readonly log: Logger) {}

  /** Adds a status listener, told `current` at once when there is one; returns the unsubscribe. */
  onTradingStatus(listener: (status: TradingStatus) => void, current: TradingStatus | undefined): () => void {
    this.statusListeners.add(listener);
    if (current) this.tell(listener, current, 'trading status');
    return () => this.statusListeners.delete(listener);
  }

  tradingStatus(status: TradingStatus): void {
    for (const listener of this.statusListeners) this.tell(listener, status, 'trading status');
  }

  /** The newest listener hears the events, those kept so far first; returns the unsubscribe. */
  onEvent(listener: (event: SessionEvent) => void): () => void {
    this.eventListener = listener;
    const waiting = this.unheard;
    this.unheard = [];
    for (const event of waiting) this.tell(listener, event, `${event.kind} event`);
    return () => {
      if (this.eventListener === listener) this.eventListener = undefined;
    };
  }

  event(event: SessionEvent): void {
    if (this.eventListener) this.tell(this.eventListener, event, `${event.kind} event`);
    else if (this.unheard.length < MAX_UNHEARD_EVENTS) this.unheard.push(event);
  }

  private tell<T>(listener: (value: T) => void, value: T, what: string): void {
    try {
      listener(value);
    } catch (err) {
      this.log.warn(`a node failed on the ${what}: ${errorText(err)}`);
    }
  }
}
