/**
 * The commands a person sends the bot from their phone, answered for allowed chats only.
 * Everything else, and every other chat, is refused; the caller logs it without the text.
 * /forceexit asks first: its reply carries Confirm / Cancel buttons, and only the tap on Confirm
 * (handleCallback) sells.
 */
import type { ForceExitTarget } from '../risk/force-exit';

export interface ControlProvider {
  status(): Promise<string>;
  balance(): Promise<string>;
  positions(): Promise<string>;
  /** The account's P&L, and the journal's closed trades of the last `days` (all time without). */
  profit(days?: number): Promise<string>;
  /** From the trade journal: the last `limit` closed trades. */
  trades(limit: number): Promise<string>;
  /** From the trade journal: profit and trades of the last `count` days, weeks or months. */
  periods(query: 'daily' | 'weekly' | 'monthly', count: number): Promise<string>;
  /** From the trade journal: profit per pair. */
  performance(): Promise<string>;
  /** Open positions and orders (the account), closed trades (the journal). */
  count(): Promise<string>;
  pause(): Promise<string>;
  resume(): Promise<string>;
  /** What a force exit would sell, as a question; throws (naming the argument) when it cannot be done. */
  previewForceExit(target: ForceExitTarget): Promise<string>;
  /** Sends the force exit's sells; the reply says what went out. */
  forceExit(target: ForceExitTarget): Promise<string>;
}

export const HELP =
  'Commands:\n/status: mode, open positions, equity\n/balance: balances\n/positions: open positions\n/profit [days]: realized and unrealized P&L, today and total; closed trades, win rate and profit of the last days (all time without days)\n/trades [n]: the last n closed trades (default 10, at most 50)\n/daily [n], /weekly [n], /monthly [n]: profit and trades per day, week or month (UTC)\n/performance: profit per pair\n/count: open positions, open orders, closed trades\n/pause: kill switch on: no new entries (exits, stops and force exits still go through)\n/stopentry: the same as /pause\n/resume: kill switch off: entries allowed again\n/forceexit BTC/USDT: close that position at market (asks to confirm)\n/forceexit all: close every position at market (asks to confirm)\n/help: this list';

export type Buttons = Array<Array<{ text: string; data: string }>>;
export type CommandOutcome = { reply: string; command: string; buttons?: Buttons } | { refused: 'chat' | 'command'; reply?: string };

/** The journal commands' arguments: the range of each, and its usage line (the reply to a bad one). */
const TRADES_MAX = 50;
const PERIODS_MAX = 60;
const PERIOD_DEFAULT = { daily: 7, weekly: 4, monthly: 6 } as const;
const PERIOD_UNIT = { daily: 'day', weekly: 'week', monthly: 'month' } as const;
const USAGE = {
  trades: `Usage: /trades [n]: the last n closed trades, n from 1 to ${TRADES_MAX} (default 10).`,
  profit: 'Usage: /profit [days]: P&L, and the closed trades of the last days, from 1 to 36500 (all time without days).',
  performance: 'Usage: /performance (no argument): profit per pair.',
  count: 'Usage: /count (no argument): open positions, open orders, closed trades.',
  period: (q: 'daily' | 'weekly' | 'monthly') => `Usage: /${q} [n]: profit and trades of the last n ${PERIOD_UNIT[q]}s, n from 1 to ${PERIODS_MAX} (default ${PERIOD_DEFAULT[q]}).`,
};

/** An optional whole-number argument: its value, undefined when absent, NaN when it is anything else or out of range. */
function countArg(arg: string, min: number, max: number): number | undefined {
  if (!arg) return undefined;
  if (!/^\d+$/.test(arg)) return NaN;
  const n = Number(arg);
  return n >= min && n <= max ? n : NaN;
}

const FORCE_EXIT_USAGE = 'Usage: /forceexit BTC/USDT (one position) or /forceexit all (every position).';
/** Callback data of the confirmation buttons: "fx:" + the symbol or "all"; "fx:cancel" cancels. */
const FX = 'fx:';
const FX_CANCEL = 'fx:cancel';

function forceExitTarget(arg: string): ForceExitTarget | undefined {
  if (!arg) return undefined;
  return arg.toLowerCase() === 'all' ? { all: true } : { symbol: arg.toUpperCase() };
}

export async function handleCommand(text: string, chatId: number, allowedChats: number[], provider: ControlProvider): Promise<CommandOutcome> {
  if (!allowedChats.includes(chatId)) return { refused: 'chat', reply: 'This chat is not allowed to control this bot.' };
  // "/status@MyBot args" -> status
  const match = /^\/([a-z]+)(@\w+)?(\s+(.*))?$/is.exec(text.trim());
  const command = match?.[1]?.toLowerCase();
  const arg = (match?.[4] ?? '').trim();
  switch (command) {
    case 'start':
    case 'help':
      return { command: 'help', reply: HELP };
    case 'status':
      return { command, reply: await provider.status() };
    case 'balance':
      return { command, reply: await provider.balance() };
    case 'positions':
      return { command, reply: await provider.positions() };
    case 'profit': {
      const days = countArg(arg, 1, 36_500);
      if (Number.isNaN(days)) return { command, reply: USAGE.profit };
      return { command, reply: await provider.profit(days) };
    }
    case 'trades': {
      const n = countArg(arg, 1, TRADES_MAX);
      if (Number.isNaN(n)) return { command, reply: USAGE.trades };
      return { command, reply: await provider.trades(n ?? 10) };
    }
    case 'daily':
    case 'weekly':
    case 'monthly': {
      const n = countArg(arg, 1, PERIODS_MAX);
      if (Number.isNaN(n)) return { command, reply: USAGE.period(command) };
      return { command, reply: await provider.periods(command, n ?? PERIOD_DEFAULT[command]) };
    }
    case 'performance':
      return { command, reply: arg ? USAGE.performance : await provider.performance() };
    case 'count':
      return { command, reply: arg ? USAGE.count : await provider.count() };
    case 'pause':
    case 'stopentry':
      return { command, reply: await provider.pause() };
    case 'resume':
      return { command, reply: await provider.resume() };
    case 'forceexit': {
      const target = forceExitTarget(arg);
      if (!target || /\s/.test(arg)) return { command, reply: FORCE_EXIT_USAGE };
      const question = await provider.previewForceExit(target);
      const data = FX + ('all' in target ? 'all' : target.symbol);
      // Telegram limits callback data to 64 bytes; a symbol that long is no market anyway.
      if (Buffer.byteLength(data) > 64) return { command, reply: `${FORCE_EXIT_USAGE} ${arg.slice(0, 40)} is not a market.` };
      return { command, reply: question, buttons: [[{ text: 'Confirm: sell at market', data }, { text: 'Cancel', data: FX_CANCEL }]] };
    }
    default:
      return { refused: 'command', reply: `Unknown command. ${HELP}` };
  }
}

/** Whether a button's callback data is one of the control's (the /forceexit question's). */
export const isControlCallback = (data: string): boolean => data.startsWith(FX);

/** A tap on a confirmation button: only from an allowed chat; Confirm sells, Cancel does nothing. */
export async function handleCallback(data: string, chatId: number, allowedChats: number[], provider: ControlProvider): Promise<CommandOutcome> {
  if (!allowedChats.includes(chatId)) return { refused: 'chat', reply: 'This chat is not allowed to control this bot.' };
  if (data === FX_CANCEL) return { command: 'forceexit', reply: 'Force exit canceled: nothing was sold.' };
  if (data.startsWith(FX)) {
    const target = forceExitTarget(data.slice(FX.length));
    if (target) return { command: 'forceexit', reply: await provider.forceExit(target) };
  }
  return { refused: 'command' };
}
