/**
 * The commands a person sends the bot from their phone, answered for allowed chats only.
 * Everything else, and every other chat, is refused; the caller logs it without the text.
 */
export interface ControlProvider {
  status(): Promise<string>;
  balance(): Promise<string>;
  positions(): Promise<string>;
  profit(): Promise<string>;
  pause(): Promise<string>;
  resume(): Promise<string>;
}

export const HELP =
  'Commands:\n/status: mode, open positions, equity\n/balance: balances\n/positions: open positions\n/profit: realized and unrealized P&L, today and total\n/pause: kill switch on (no new orders)\n/resume: kill switch off\n/help: this list';

export type CommandOutcome = { reply: string; command: string } | { refused: 'chat' | 'command'; reply?: string };

export async function handleCommand(text: string, chatId: number, allowedChats: number[], provider: ControlProvider): Promise<CommandOutcome> {
  if (!allowedChats.includes(chatId)) return { refused: 'chat', reply: 'This chat is not allowed to control this bot.' };
  // "/status@MyBot args" -> status
  const command = /^\/([a-z]+)(@\w+)?(\s|$)/i.exec(text.trim())?.[1]?.toLowerCase();
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
    case 'profit':
      return { command, reply: await provider.profit() };
    case 'pause':
      return { command, reply: await provider.pause() };
    case 'resume':
      return { command, reply: await provider.resume() };
    default:
      return { refused: 'command', reply: `Unknown command. ${HELP}` };
  }
}
