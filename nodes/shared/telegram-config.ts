/** The tradebot-telegram config node as other nodes see it. */
import type { Node } from './types';

export interface TelegramConfigNode extends Node {
  token?: string;
  apiBase: string;
  allowedChats: number[];
  configError?: string;
}

