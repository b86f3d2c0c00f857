/**
 * A mock of the Telegram Bot API (https://core.telegram.org/bots/api) on 127.0.0.1, for
 * integration tests of the product's notifications and bot commands.
 *
 * The product talks to it exactly as to https://api.telegram.org, through a configurable base URL:
 *   POST {base}/bot<token>/<method>   with a JSON body (application/json),
 *   or an application/x-www-form-urlencoded body, or GET with query parameters ("Making requests").
 * Method names are case-insensitive, as on Telegram. Every answer is the Bot API envelope:
 *   {"ok":true,"result":...[,"description":"..."]}
 *   {"ok":false,"error_code":N,"description":"...","parameters":{"retry_after":S}}   (HTTP status = N)
 * The one exception is the gateway: setDown() and failNext({status:502|503}) answer an nginx HTML
 * page, as Telegram's front (nginx) does when the Bot API server behind it is unreachable.
 *
 * Methods: getMe, sendMessage, editMessageText, getUpdates, answerCallbackQuery, setMyCommands,
 * getMyCommands, deleteMyCommands, setWebhook, deleteWebhook, getWebhookInfo. Anything else: 404 "Not Found" (as Telegram).
 *
 * Inline keyboards: sendMessage takes reply_markup {inline_keyboard: [[{text, callback_data}]]}
 * (checked like Telegram: a JSON object, rows of buttons, each with a text and exactly one action;
 * callback_data of 1-64 bytes, else "BUTTON_DATA_INVALID") and keeps it on the Message. A tap is
 * pushCallbackQuery(): a callback_query update carrying the bot's message and the button's data,
 * which the bot confirms with answerCallbackQuery (an unknown or already answered id: 400 "query is
 * too old and response timeout expired or query ID is invalid").
 *
 * Edits: editMessageText (chat_id + message_id) replaces the text of a message the bot sent; its
 * inline keyboard is the reply_markup given, or none (Telegram removes a keyboard the edit does not
 * repeat), so a button no longer shown can no longer be tapped (pushCallbackQuery throws). Errors
 * as Telegram's: "message to edit not found", "message can't be edited" (not the bot's), "message is
 * not modified: ..." (same text and keyboard). Each accepted edit is recorded in `edits`.
 *
 * Text formatting (parse_mode) is checked with ports of tdlib's own parsers
 * (td/telegram/MessageEntity.cpp: parse_html, parse_markdown_v2, parse_markdown), which are what
 * the Bot API server runs, so the error descriptions are Telegram's, byte offsets included:
 *   "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'"
 *   "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
 *   "Bad Request: can't parse entities: Unsupported start tag \"div\" at byte offset 0"
 * One deliberate difference, on by default (option strictHtml): Telegram's HTML parser accepts a
 * bare '>' and a '&' that does not start an entity (it keeps them as text); the mock rejects them
 * ("... must be escaped as &gt;" / "&amp;"), because the Bot API documentation requires escaping
 * them and a product that escapes `<` but forgets `&` would otherwise pass here and garble text
 * like "a &lt; b" there. Pass strictHtml: false for Telegram's exact leniency.
 *
 * Not modelled: media, reply (non-inline) keyboards, edits other than editMessageText's, webhooks delivering updates (setWebhook
 * is recorded and blocks getUpdates with 409 like Telegram, nothing is POSTed), multipart bodies,
 * automatic entity detection in sent texts (urls, @mentions, ...; bot_command IS detected in
 * updates pushed with pushUpdate), Telegram's group limit of 20 messages per minute.
 *
 * The bot token is a secret: the mock never writes it into an answer, a record (requests, sent)
 * or an error message. Tests assert that; keep it that way.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';

// ---------------------------------------------------------------------------------------------- types

/** A Bot API MessageEntity (https://core.telegram.org/bots/api#messageentity); offsets in UTF-16 code units. */
export interface TgMessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: TgUser;
  language?: string;
  custom_emoji_id?: string;
}

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  can_join_groups?: boolean;
  can_read_all_group_messages?: boolean;
  supports_inline_queries?: boolean;
  can_connect_to_business?: boolean;
  has_main_web_app?: boolean;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  sender_chat?: TgChat;
  chat: TgChat;
  date: number;
  text: string;
  entities?: TgMessageEntity[];
  reply_to_message?: TgMessage;
  reply_markup?: TgInlineKeyboardMarkup;
  /** Set by an edit (unix seconds). */
  edit_date?: number;
}

/** https://core.telegram.org/bots/api#inlinekeyboardmarkup (callback and url buttons). */
export interface TgInlineKeyboardMarkup {
  inline_keyboard: Array<Array<{ text: string; callback_data?: string; url?: string }>>;
}

/** https://core.telegram.org/bots/api#callbackquery */
export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  chat_instance: string;
  data?: string;
}

/** https://core.telegram.org/bots/api#update (only the message kinds are produced). */
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  channel_post?: TgMessage;
  callback_query?: TgCallbackQuery;
}

/**
 * Injected by failNext; the request is NOT processed. 429 and 500 answer the Bot API envelope
 * (429: "Too Many Requests: retry after N" with parameters.retry_after); 502/503 answer nginx's
 * HTML error page, like Telegram's front; 'reset' destroys the socket; 'timeout' never answers
 * (the request hangs until the client gives up or stop()).
 */
export type MockTelegramFault = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 } | 'reset' | 'timeout';

/** Telegram's documented broadcast limits ("My bot is hitting limits", core.telegram.org/bots/faq). */
export interface MockTelegramRateLimit {
  /** Messages per second to one chat (Telegram: "avoid sending more than one message per second"). Default 1. */
  perChatPerSecond: number;
  /** Messages per second across all chats (Telegram: "not more than 30 messages per second"). Default 30. */
  perBotPerSecond: number;
}

export interface MockTelegramOptions {
  /** The one valid bot token, "<botId>:<secret>" like BotFather's; the bot's id is its numeric prefix. */
  token: string;
  /** getMe username (default "tradebot_test_bot"). */
  botUsername?: string;
  /** getMe first_name (default "Tradebot Test"). */
  botName?: string;
  /** Off by default. true = Telegram's limits (1/s per chat, 30/s per bot); exceeding them answers 429. */
  rateLimit?: boolean | Partial<MockTelegramRateLimit>;
  /** Reject a bare '>' or '&' in HTML text (default true; Telegram itself is lenient, see the header). */
  strictHtml?: boolean;
  /** update_id of the first pushed update (default 100000001). */
  firstUpdateId?: number;
}

/** A message the mock accepted (HTTP 200), in order. */
export interface MockTelegramSent {
  /** The chat's numeric id (an "@username" chat_id is resolved to it). */
  chatId: number | string;
  /** The text as the product sent it (markup and escapes included). */
  text: string;
  /** The parse_mode as sent ('HTML', 'MarkdownV2', 'Markdown'), absent for plain text. */
  parseMode?: string;
  /** Date.now() when accepted. */
  at: number;
  messageId: number;
  /** What the user sees: the text after markup parsing and trimming (Message.text). */
  plain: string;
  entities: TgMessageEntity[];
  replyToMessageId?: number;
  /** The inline keyboard sent with it, as Telegram keeps it. */
  replyMarkup?: TgInlineKeyboardMarkup;
}

export interface MockTelegramRequest {
  /** The method as written in the path ('sendMessage'); '' when the path is not /bot<token>/<method>. */
  method: string;
  /** The parameters: query string merged with the parsed body. */
  body: any;
  /** Date.now() on arrival. */
  at: number;
  httpMethod: string;
  /** Whether the path carried the valid token (the token itself is never recorded). */
  authorized: boolean;
}

// ---------------------------------------------------------------------------------------------- constants

const CONFLICT_GET_UPDATES = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** telegram-bot-api Client.cpp: LONG_POLL_MAX_TIMEOUT; a larger getUpdates timeout is clamped to it. */
const LONG_POLL_MAX_TIMEOUT_SEC = 50;
const MAX_MESSAGE_LENGTH = 4096;
/** Update types Telegram delivers when allowed_updates is [] or was never set. */
const DEFAULT_UPDATE_TYPES = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query'];

class HttpError {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {}
}

const badRequest = (what: string) => new HttpError(400, `Bad Request: ${what}`);

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface PendingPoll {
  res: http.ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
  flushScheduled: boolean;
}

type Params = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------- the mock

export class MockTelegram {
  /** Every HTTP request received, in arrival order (faulted, unauthorized and unknown ones included). */
  readonly requests: MockTelegramRequest[] = [];
  /** Messages accepted by sendMessage, in order. */
  readonly sent: MockTelegramSent[] = [];
  /** answerCallbackQuery calls accepted, in order. */
  readonly answeredCallbacks: Array<{ id: string; text?: string; showAlert: boolean }> = [];
  /** editMessageText calls accepted, in order: the message, its new text (as sent and as shown) and keyboard. */
  readonly edits: Array<{ chatId: number; messageId: number; text: string; plain: string; replyMarkup?: TgInlineKeyboardMarkup; at: number }> = [];
  /** The commands last set with setMyCommands (default scope). */
  commands: Array<{ command: string; description: string }> = [];
  /** Per-chat and per-bot send limits; undefined (the default) = unlimited. Settable at any time. */
  rateLimit: MockTelegramRateLimit | undefined;

  private readonly token: string;
  private readonly bot: TgUser;
  private readonly strictHtml: boolean;
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  private readonly sockets = new Set<Duplex>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly faults: Array<{ remaining: number; fault: MockTelegramFault; method?: string }> = [];
  private readonly waiters = new Set<Waiter>();
  private down = false;
  private webhookUrl = '';
  private allowedUpdates: string[] = DEFAULT_UPDATE_TYPES;
  /** Unconfirmed updates, ascending by update_id. */
  private queue: TgUpdate[] = [];
  private nextUpdateId: number;
  /** Callback queries pushed and not yet answered. */
  private readonly openCallbacks = new Set<string>();
  private nextCallbackId = 4_000_000_001;
  private poll: PendingPoll | undefined;
  private readonly chats = new Map<number, TgChat>();
  private readonly chatStates = new Map<number, 'blocked' | 'not_found'>();
  /** chat id -> last message_id used in it (messages of both sides share the sequence). */
  private readonly lastMessageId = new Map<number, number>();
  /** chat id -> message_id -> message, for reply_to_message. */
  private readonly messages = new Map<number, Map<number, TgMessage>>();

  constructor(opts: MockTelegramOptions) {
    if (!opts || typeof opts.token !== 'string' || opts.token === '') throw new Error('mock-telegram: a token is required');
    this.token = opts.token;
    const prefix = /^(\d{1,15}):/.exec(opts.token);
    this.bot = {
      id: prefix ? Number(prefix[1]) : 7_000_000_001,
      is_bot: true,
      first_name: opts.botName ?? 'Tradebot Test',
      username: opts.botUsername ?? 'tradebot_test_bot',
    };
    this.strictHtml = opts.strictHtml ?? true;
    this.nextUpdateId = opts.firstUpdateId ?? 100_000_001;
    this.setRateLimit(opts.rateLimit ?? false);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts listening on 127.0.0.1 on a free port; resolves the base URL `http://127.0.0.1:PORT`. */
  async start(): Promise<string> {
    if (this.server && this.baseUrl) return this.baseUrl;
    const server = http.createServer((req, res) => this.onHttp(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('mock-telegram: no TCP address');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  /**
   * Answers a pending long poll (ok, no updates, as at its timeout), drops requests held by the
   * 'timeout' fault, rejects pending waitFor* calls, closes the server and every socket. Idempotent.
   */
  async stop(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('mock-telegram stopped while waiting'));
    }
    this.waiters.clear();
    const flushed: Promise<void>[] = [];
    const poll = this.takePoll();
    if (poll) {
      this.ok(poll.res, []);
      flushed.push(finished(poll.res));
    }
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(flushed); // let the long poll's answer reach the socket before cutting it
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
      await closed;
    }
  }

  /** The base URL; the product appends /bot<token>/<method>. */
  get url(): string {
    if (!this.baseUrl) throw new Error('mock-telegram: call start() first');
    return this.baseUrl;
  }

  /** The bot's User object, as getMe answers it. */
  get botUser(): TgUser {
    return { ...this.bot };
  }

  // ---------------------------------------------------------------- incoming updates

  /**
   * Queues an incoming message as an Update (https://core.telegram.org/bots/api#update) and
   * answers a pending long poll with it. Private chats by default (from = the chat's user);
   * chatType 'channel' produces a channel_post with sender_chat and no from, as Telegram does.
   * `/commands` get bot_command entities. Returns the update_id.
   */
  pushUpdate(u: { chatId: number; text: string; fromId?: number; username?: string; chatType?: string; firstName?: string }): number {
    const type = (u.chatType ?? (u.chatId < 0 ? (String(u.chatId).startsWith('-100') ? 'supergroup' : 'group') : 'private')) as TgChat['type'];
    if (!['private', 'group', 'supergroup', 'channel'].includes(type)) throw new Error(`mock-telegram: unknown chatType ${type}`);
    const chat: TgChat =
      type === 'private'
        ? { id: u.chatId, first_name: u.firstName ?? u.username ?? 'User', ...(u.username ? { username: u.username } : {}), type }
        : { id: u.chatId, title: type === 'channel' ? 'Test Channel' : 'Test Group', type };
    this.chats.set(u.chatId, chat);
    const message: TgMessage = {
      message_id: this.nextMessageId(u.chatId),
      chat: { ...chat },
      date: unixNow(),
      text: u.text,
    };
    if (type === 'channel') {
      message.sender_chat = { ...chat };
    } else {
      const fromId = u.fromId ?? (type === 'private' ? u.chatId : 10_001);
      message.from = {
        id: fromId,
        is_bot: false,
        first_name: u.firstName ?? u.username ?? 'User',
        ...(u.username ? { username: u.username } : {}),
        language_code: 'en',
      };
    }
    const entities = botCommandEntities(u.text);
    if (entities.length > 0) message.entities = entities;
    this.remember(message);
    const update: TgUpdate = { update_id: this.nextUpdateId++ };
    if (type === 'channel') update.channel_post = message;
    else update.message = message;
    this.queue.push(update);
    this.schedulePollFlush();
    return update.update_id;
  }

  /**
   * A user taps an inline button of a message the bot sent: queues a callback_query update with
   * that message and the button's data and answers a pending long poll. Throws when the message
   * or the data is not one the bot sent (Telegram only delivers taps on real buttons). Returns
   * the callback query id.
   */
  pushCallbackQuery(u: { chatId: number; messageId: number; data: string; fromId?: number; username?: string }): string {
    const message = this.messages.get(u.chatId)?.get(u.messageId);
    if (!message) throw new Error(`mock-telegram: no message ${u.messageId} in chat ${u.chatId}`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    if (!buttons.some((b) => b.callback_data === u.data)) throw new Error(`mock-telegram: message ${u.messageId} has no button with callback_data ${JSON.stringify(u.data)}`);
    const id = String(this.nextCallbackId++);
    this.openCallbacks.add(id);
    const from: TgUser = { id: u.fromId ?? u.chatId, is_bot: false, first_name: u.username ?? 'User', ...(u.username ? { username: u.username } : {}), language_code: 'en' };
    this.queue.push({ update_id: this.nextUpdateId++, callback_query: { id, from, message: { ...message }, chat_instance: String(-u.chatId), data: u.data } });
    this.schedulePollFlush();
    return id;
  }

  /** update_ids not yet confirmed by a getUpdates offset. */
  unconfirmedUpdates(): number[] {
    return this.queue.map((u) => u.update_id);
  }

  /** Whether a getUpdates long poll is being held open right now. */
  isPolling(): boolean {
    return this.poll !== undefined;
  }

  // ---------------------------------------------------------------- faults and chat states

  /** The next `n` requests (of `method` only, case-insensitive, if given) fail with `fault`, unprocessed. */
  failNext(n: number, fault: MockTelegramFault, method?: string): void {
    if (n > 0) this.faults.push({ remaining: n, fault, method: method?.toLowerCase() });
  }

  /**
   * Outage: while on, every request is answered HTTP 502 with nginx's HTML page, which is what
   * api.telegram.org's front answers when the Bot API servers behind it are down (not JSON: a
   * client must cope with a non-envelope body). A long poll being held is answered the same way.
   */
  setDown(on: boolean): void {
    this.down = on;
    if (on) {
      const poll = this.takePoll();
      if (poll) gatewayError(poll.res, 502);
    }
  }

  /**
   * 'blocked': sendMessage to this chat answers 403 "Forbidden: bot was blocked by the user";
   * 'not_found': 400 "Bad Request: chat not found"; 'ok' (default) delivers.
   */
  setChatState(chatId: number, state: 'ok' | 'blocked' | 'not_found'): void {
    if (state === 'ok') this.chatStates.delete(chatId);
    else this.chatStates.set(chatId, state);
  }

  /** true = Telegram's limits, false = none, or custom numbers (missing ones default to Telegram's). */
  setRateLimit(limit: boolean | Partial<MockTelegramRateLimit>): void {
    if (limit === false) this.rateLimit = undefined;
    else {
      const l = limit === true ? {} : limit;
      this.rateLimit = { perChatPerSecond: l.perChatPerSecond ?? 1, perBotPerSecond: l.perBotPerSecond ?? 30 };
    }
  }

  // ---------------------------------------------------------------- observation

  /** Texts (as sent) delivered to `chatId`, in order. */
  sentTo(chatId: number | string): string[] {
    return this.sent.filter((s) => String(s.chatId) === String(chatId)).map((s) => s.text);
  }

  /** Requests of one method (case-insensitive). */
  requestsOf(method: string): MockTelegramRequest[] {
    const m = method.toLowerCase();
    return this.requests.filter((r) => r.method.toLowerCase() === m);
  }

  /** Resolves once `sent.length >= n`. */
  waitForSent(n: number, timeoutMs = 2000): Promise<void> {
    return this.waitFor(() => this.sent.length >= n, timeoutMs, () => `${n} sent messages (have ${this.sent.length})`);
  }

  /** Resolves once a getUpdates long poll is being held open (the product is listening). */
  waitForPoll(timeoutMs = 2000): Promise<void> {
    return this.waitFor(() => this.poll !== undefined, timeoutMs, () => 'a pending getUpdates long poll');
  }

  /** Resolves once `n` requests of `method` have arrived. */
  waitForRequests(method: string, n = 1, timeoutMs = 2000): Promise<void> {
    return this.waitFor(
      () => this.requestsOf(method).length >= n,
      timeoutMs,
      () => `${n} ${method} requests (have ${this.requestsOf(method).length})`,
    );
  }

  // ---------------------------------------------------------------- internals: HTTP

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => {
      /* client went away mid-body */
    });
    req.on('end', () => this.handle(req, res, Buffer.concat(chunks)));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // "https://api.telegram.org/bot<token>/METHOD_NAME"
    const m = /^\/bot([^/]*)\/([^/]*)\/?$/.exec(url.pathname);
    let token = '';
    try {
      token = m ? decodeURIComponent(m[1]!) : '';
    } catch {
      token = '';
    }
    const authorized = m !== null && token === this.token;
    const method = m ? safeDecode(m[2]!) : '';
    const { params, error: bodyError } = parseParams(url, req.headers['content-type'], rawBody);
    this.requests.push({ method, body: params, at: Date.now(), httpMethod: req.method ?? 'GET', authorized });
    this.notifyWaiters();

    if (this.down) {
      gatewayError(res, 502);
      return;
    }
    const fault = this.takeFault(method);
    if (fault !== undefined) {
      this.applyFault(fault, req, res);
      return;
    }
    if (!m || method === '') {
      this.fail(res, new HttpError(404, 'Not Found'));
      return;
    }
    if (!authorized) {
      this.fail(res, new HttpError(401, 'Unauthorized'));
      return;
    }
    if (bodyError) {
      this.fail(res, badRequest(bodyError));
      return;
    }
    try {
      this.dispatch(method.toLowerCase(), params, res);
    } catch (err) {
      if (err instanceof HttpError) this.fail(res, err);
      else this.fail(res, new HttpError(500, 'Internal Server Error'));
    }
  }

  /** Answers `res` itself (directly or later, for a long poll). */
  private dispatch(method: string, p: Params, res: http.ServerResponse): void {
    switch (method) {
      case 'getme':
        this.ok(res, {
          ...this.bot,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
        });
        return;
      case 'sendmessage':
        this.ok(res, this.sendMessage(p));
        return;
      case 'editmessagetext':
        this.ok(res, this.editMessageText(p));
        return;
      case 'getupdates':
        this.getUpdates(p, res);
        return;
      case 'answercallbackquery': {
        // https://core.telegram.org/bots/api#answercallbackquery
        const id = strArg(p, 'callback_query_id');
        if (id === undefined || id === '') throw badRequest('parameter "callback_query_id" is required');
        const text = strArg(p, 'text');
        if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
        if (!this.openCallbacks.delete(id)) throw badRequest('query is too old and response timeout expired or query ID is invalid');
        this.answeredCallbacks.push({ id, ...(text !== undefined ? { text } : {}), showAlert: boolArg(p, 'show_alert') });
        this.ok(res, true);
        this.notifyWaiters();
        return;
      }
      case 'setmycommands': {
        const commands = jsonArg(p, 'commands');
        if (commands === undefined) throw badRequest('parameter "commands" is required');
        if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
        const parsed: Array<{ command: string; description: string }> = [];
        for (const c of commands) {
          const command = typeof c?.command === 'string' ? c.command.replace(/^\//, '') : '';
          const description = typeof c?.description === 'string' ? c.description : '';
          // BotCommand: command 1-32 chars of lowercase letters, digits, underscores; description 1-256.
          if (!/^[a-z0-9_]{1,32}$/.test(command) || description.length < 1 || description.length > 256) {
            throw badRequest('BOT_COMMAND_INVALID');
          }
          parsed.push({ command, description });
        }
        this.commands = parsed;
        this.ok(res, true);
        return;
      }
      case 'getmycommands':
        this.ok(res, this.commands.map((c) => ({ ...c })));
        return;
      case 'deletemycommands':
        this.commands = [];
        this.ok(res, true);
        return;
      case 'deletewebhook': {
        const had = this.webhookUrl !== '';
        this.webhookUrl = '';
        if (boolArg(p, 'drop_pending_updates')) this.queue = [];
        this.ok(res, true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
        return;
      }
      case 'setwebhook': {
        const url = strArg(p, 'url') ?? '';
        if (url !== '' && !/^https:\/\//i.test(url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        const was = this.webhookUrl;
        this.webhookUrl = url;
        if (boolArg(p, 'drop_pending_updates')) this.queue = [];
        if (url !== '') {
          const poll = this.takePoll();
          if (poll) this.fail(poll.res, new HttpError(409, CONFLICT_WEBHOOK));
        }
        this.ok(res, true, url === '' ? (was ? 'Webhook was deleted' : 'Webhook is already deleted') : was === url ? 'Webhook is already set' : 'Webhook was set');
        return;
      }
      case 'getwebhookinfo':
        this.ok(res, { url: this.webhookUrl, has_custom_certificate: false, pending_update_count: this.queue.length });
        return;
      default:
        throw new HttpError(404, 'Not Found');
    }
  }

  // ---------------------------------------------------------------- methods

  /** The text and parse_mode of sendMessage and editMessageText, checked and parsed as telegram-bot-api does. */
  private parsedText(p: Params): { text: string; parseModeRaw: string | undefined; parseMode: string; parsed: ParsedText } {
    const text = strArg(p, 'text');
    if (text === undefined || text === '') throw badRequest('message text is empty');
    const parseModeRaw = strArg(p, 'parse_mode');
    const parseMode = (parseModeRaw ?? '').toLowerCase();
    let parsed: ParsedText;
    try {
      if (parseMode === '' || parseMode === 'none') parsed = { text, entities: [] };
      else if (parseMode === 'html') parsed = parseHtml(text, this.strictHtml);
      else if (parseMode === 'markdownv2') parsed = parseMarkdownV2(text);
      else if (parseMode === 'markdown') parsed = parseMarkdown(text);
      else throw badRequest('unsupported parse_mode');
    } catch (err) {
      if (err instanceof EntityParseError) throw badRequest(`can't parse entities: ${err.message}`);
      throw err;
    }
    return { text, parseModeRaw, parseMode, parsed };
  }

  /** https://core.telegram.org/bots/api#sendmessage */
  private sendMessage(p: Params): TgMessage {
    // Order of checks as in telegram-bot-api: the text (and its markup) first, then the chat.
    const { text, parseModeRaw, parseMode, parsed } = this.parsedText(p);
    if (parseMode === '' || parseMode === 'none') {
      const given = jsonArg(p, 'entities');
      if (Array.isArray(given)) parsed.entities = given.filter(isEntityLike).map((e) => ({ ...e }));
    }
    const chatIdRaw = strArg(p, 'chat_id');
    if (chatIdRaw === undefined || chatIdRaw === '') throw badRequest('chat_id is empty');
    const chat = this.resolveChat(chatIdRaw);
    if (!chat) throw badRequest('chat not found');
    const state = this.chatStates.get(chat.id);
    if (state === 'not_found') throw badRequest('chat not found');
    if (state === 'blocked') throw new HttpError(403, 'Forbidden: bot was blocked by the user');
    const shown = trimFormatted(parsed);
    if (shown.text === '') throw badRequest('message must be non-empty');
    if (shown.text.length > MAX_MESSAGE_LENGTH) throw badRequest('message is too long');

    // reply_to_message_id (older) or reply_parameters {message_id, allow_sending_without_reply}
    const replyParams = jsonArg(p, 'reply_parameters');
    const replyId = intArg(p, 'reply_to_message_id') ?? (isObject(replyParams) ? toInt(replyParams.message_id) : undefined);
    const allowWithout =
      boolArg(p, 'allow_sending_without_reply') || (isObject(replyParams) && (replyParams.allow_sending_without_reply === true || replyParams.allow_sending_without_reply === 'true'));
    let replyTo: TgMessage | undefined;
    if (replyId !== undefined && replyId !== 0) {
      replyTo = this.messages.get(chat.id)?.get(replyId);
      if (!replyTo && !allowWithout) throw badRequest('message to be replied not found');
    }

    const markup = parseReplyMarkup(jsonArg(p, 'reply_markup'));

    this.checkRateLimit(chat.id);

    const message: TgMessage = {
      message_id: this.nextMessageId(chat.id),
      from: { ...this.bot },
      chat: { ...chat },
      date: unixNow(),
      text: shown.text,
    };
    if (shown.entities.length > 0) message.entities = shown.entities;
    if (markup) message.reply_markup = markup;
    if (replyTo) {
      const { reply_to_message: _nested, ...flat } = replyTo;
      message.reply_to_message = flat;
    }
    this.remember(message);
    const record: MockTelegramSent = {
      chatId: chat.id,
      text,
      at: Date.now(),
      messageId: message.message_id,
      plain: shown.text,
      entities: shown.entities,
    };
    if (parseModeRaw !== undefined && parseModeRaw !== '') record.parseMode = parseModeRaw;
    if (replyTo) record.replyToMessageId = replyTo.message_id;
    if (markup) record.replyMarkup = markup;
    this.sent.push(record);
    this.notifyWaiters();
    return message;
  }

  /** https://core.telegram.org/bots/api#editmessagetext (messages of a chat; inline_message_id is not modelled). */
  private editMessageText(p: Params): TgMessage {
    const { text, parsed } = this.parsedText(p);
    if (strArg(p, 'inline_message_id') !== undefined) throw new Error('mock-telegram: inline_message_id edits are not modelled');
    const chatIdRaw = strArg(p, 'chat_id');
    if (chatIdRaw === undefined || chatIdRaw === '') throw badRequest('chat_id is empty');
    const chat = this.resolveChat(chatIdRaw);
    if (!chat) throw badRequest('chat not found');
    const messageId = intArg(p, 'message_id');
    if (messageId === undefined) throw badRequest('message identifier is not specified');
    const message = this.messages.get(chat.id)?.get(messageId);
    if (!message) throw badRequest('message to edit not found');
    if (message.from?.id !== this.bot.id) throw badRequest("message can't be edited");
    const shown = trimFormatted(parsed);
    if (shown.text === '') throw badRequest('message must be non-empty');
    if (shown.text.length > MAX_MESSAGE_LENGTH) throw badRequest('MESSAGE_TOO_LONG');
    const markup = parseReplyMarkup(jsonArg(p, 'reply_markup'));
    if (shown.text === message.text && JSON.stringify(markup) === JSON.stringify(message.reply_markup)) {
      throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    }
    message.text = shown.text;
    if (shown.entities.length > 0) message.entities = shown.entities;
    else delete message.entities;
    if (markup) message.reply_markup = markup;
    else delete message.reply_markup;
    message.edit_date = unixNow();
    this.edits.push({ chatId: chat.id, messageId, text, plain: shown.text, ...(markup ? { replyMarkup: markup } : {}), at: Date.now() });
    this.notifyWaiters();
    return { ...message };
  }

  /**
   * https://core.telegram.org/bots/api#getupdates: updates with update_id >= offset are returned,
   * calling with an offset confirms (forgets) every update below it; a negative offset keeps only
   * the last -offset updates. With nothing to return the request is held up to `timeout` seconds
   * and answered as soon as an update arrives. A newer getUpdates terminates a held one with 409.
   */
  private getUpdates(p: Params, res: http.ServerResponse): void {
    if (this.webhookUrl !== '') throw new HttpError(409, CONFLICT_WEBHOOK);
    const offset = intArg(p, 'offset') ?? 0;
    let limit = intArg(p, 'limit') ?? 100;
    if (limit <= 0 || limit > 100) limit = 100;
    const timeout = Math.max(0, Math.min(LONG_POLL_MAX_TIMEOUT_SEC, numArg(p, 'timeout') ?? 0));
    const allowed = jsonArg(p, 'allowed_updates');
    if (Array.isArray(allowed)) {
      // Persisted across calls, like Telegram; [] restores the default set.
      this.allowedUpdates = allowed.length === 0 ? DEFAULT_UPDATE_TYPES : allowed.map(String);
    }
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);

    const previous = this.takePoll();
    if (previous) this.fail(previous.res, new HttpError(409, CONFLICT_GET_UPDATES));

    const available = this.deliverable(limit);
    if (available.length > 0 || timeout === 0) {
      this.ok(res, available);
      return;
    }
    const poll: PendingPoll = {
      res,
      limit,
      flushScheduled: false,
      timer: setTimeout(() => {
        if (this.poll !== poll) return;
        this.poll = undefined;
        this.ok(res, this.deliverable(limit));
        this.notifyWaiters();
      }, timeout * 1000),
    };
    this.poll = poll;
    res.on('close', () => {
      // the client gave up (aborted) or the answer went out
      if (this.poll === poll) {
        clearTimeout(poll.timer);
        this.poll = undefined;
        this.notifyWaiters();
      }
    });
    this.notifyWaiters();
  }

  // ---------------------------------------------------------------- internals: state

  private deliverable(limit: number): TgUpdate[] {
    const types = new Set(this.allowedUpdates);
    return this.queue.filter((u) => Object.keys(u).some((k) => k !== 'update_id' && types.has(k))).slice(0, limit);
  }

  /** Answers a held long poll with new updates, after the current tick (so pushes in a row go together). */
  private schedulePollFlush(): void {
    const poll = this.poll;
    if (!poll || poll.flushScheduled) return;
    poll.flushScheduled = true;
    setImmediate(() => {
      poll.flushScheduled = false;
      if (this.poll !== poll) return;
      const available = this.deliverable(poll.limit);
      if (available.length === 0) return;
      this.takePoll();
      this.ok(poll.res, available);
      this.notifyWaiters();
    });
  }

  private takePoll(): PendingPoll | undefined {
    const poll = this.poll;
    if (poll) {
      clearTimeout(poll.timer);
      this.poll = undefined;
    }
    return poll;
  }

  private resolveChat(raw: string): TgChat | undefined {
    if (/^-?\d{1,20}$/.test(raw)) {
      const id = Number(raw);
      const known = this.chats.get(id);
      if (known) return known;
      // An unseen chat: private for a positive id, a (super)group for a negative one.
      if (id > 0) return { id, first_name: 'User', type: 'private' };
      return { id, title: 'Test Group', type: raw.startsWith('-100') ? 'supergroup' : 'group' };
    }
    if (raw.startsWith('@')) {
      const name = raw.slice(1).toLowerCase();
      for (const chat of this.chats.values()) if (chat.username?.toLowerCase() === name && chat.type !== 'private') return chat;
    }
    return undefined;
  }

  private nextMessageId(chatId: number): number {
    const id = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, id);
    return id;
  }

  private remember(message: TgMessage): void {
    let byId = this.messages.get(message.chat.id);
    if (!byId) {
      byId = new Map();
      this.messages.set(message.chat.id, byId);
    }
    byId.set(message.message_id, message);
  }

  /** Sliding one-second windows over accepted messages; 429 with the seconds until a slot frees. */
  private checkRateLimit(chatId: number): void {
    const limit = this.rateLimit;
    if (!limit) return;
    const now = Date.now();
    const recent = this.sent.filter((s) => now - s.at < 1000);
    const toChat = recent.filter((s) => s.chatId === chatId);
    const over = (window: MockTelegramSent[], max: number): number | undefined =>
      window.length >= max ? Math.max(1, Math.ceil((window[window.length - max]!.at + 1000 - now) / 1000)) : undefined;
    const retryAfter = over(toChat, limit.perChatPerSecond) ?? over(recent, limit.perBotPerSecond);
    if (retryAfter !== undefined) {
      throw new HttpError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
  }

  private takeFault(method: string): MockTelegramFault | undefined {
    const lower = method.toLowerCase();
    const i = this.faults.findIndex((f) => f.method === undefined || f.method === lower);
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (--f.remaining <= 0) this.faults.splice(i, 1);
    return f.fault;
  }

  private applyFault(fault: MockTelegramFault, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'timeout') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if (fault.status === 429) {
      this.fail(res, new HttpError(429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter }));
      return;
    }
    if (fault.status === 500) {
      this.fail(res, new HttpError(500, 'Internal Server Error'));
      return;
    }
    gatewayError(res, fault.status);
  }

  private waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`mock-telegram: no ${what()} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private notifyWaiters(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  private ok(res: http.ServerResponse, result: unknown, description?: string): void {
    sendJson(res, 200, description === undefined ? { ok: true, result } : { ok: true, result, description });
  }

  private fail(res: http.ServerResponse, err: HttpError): void {
    const body: Record<string, unknown> = { ok: false, error_code: err.code, description: err.description };
    if (err.parameters) body.parameters = err.parameters;
    sendJson(res, err.code, body);
  }
}

// ---------------------------------------------------------------------------------------------- HTTP helpers

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** nginx's own error page, what api.telegram.org's front answers when the Bot API backend is unreachable. */
function gatewayError(res: http.ServerResponse, status: 502 | 503): void {
  if (res.headersSent || res.destroyed) return;
  const title = `${status} ${http.STATUS_CODES[status]}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body), Server: 'nginx/1.18.0' });
  res.end(body);
}

function finished(res: http.ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 500);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    res.once('finish', done);
    res.once('close', done);
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Query parameters merged with the body (JSON object or x-www-form-urlencoded), body winning. */
function parseParams(url: URL, contentType: string | undefined, raw: Buffer): { params: Params; error?: string } {
  const params: Params = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  if (raw.length === 0) return { params };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      // (mock wording) the Bot API rejects a body that is not JSON with a 400 as well
      return { params, error: "can't parse JSON encoded request body" };
    }
    if (isObject(parsed)) Object.assign(params, parsed);
    return { params };
  }
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params[k] = v;
  }
  return { params };
}

/**
 * reply_markup as Telegram checks it (telegram-bot-api Client.cpp get_reply_markup /
 * get_inline_keyboard_button): a JSON object; for an inline keyboard, an array of rows of
 * buttons, each with a text and exactly one action. Only inline keyboards are modelled.
 */
function parseReplyMarkup(raw: unknown): TgInlineKeyboardMarkup | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!isObject(raw)) throw badRequest("can't parse reply keyboard markup JSON object");
  if (raw.inline_keyboard === undefined) throw new Error('mock-telegram: only inline_keyboard reply markup is modelled');
  if (!Array.isArray(raw.inline_keyboard)) throw badRequest("can't parse reply keyboard markup JSON object: Field \"inline_keyboard\" must be of type Array");
  const rows: TgInlineKeyboardMarkup['inline_keyboard'] = [];
  for (const row of raw.inline_keyboard) {
    if (!Array.isArray(row)) throw badRequest("can't parse reply keyboard markup JSON object: Expected an Array of inline keyboard buttons");
    rows.push(
      row.map((b: unknown) => {
        if (!isObject(b)) throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        if (typeof b.text !== 'string') throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
        const actions = ['callback_data', 'url', 'switch_inline_query', 'web_app', 'login_url', 'pay', 'copy_text'].filter((k) => b[k] !== undefined);
        if (actions.length === 0) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if (b.callback_data !== undefined) {
          const data = String(b.callback_data);
          const bytes = Buffer.byteLength(data, 'utf8');
          if (bytes < 1 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
          return { text: b.text, callback_data: data };
        }
        if (b.url !== undefined) return { text: b.text, url: String(b.url) };
        throw new Error(`mock-telegram: inline button action ${actions[0]} is not modelled`);
      }),
    );
  }
  return { inline_keyboard: rows };
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Bot API sees every parameter as a string: JSON numbers/booleans become their text. */
function strArg(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

function intArg(p: Params, name: string): number | undefined {
  return toInt(p[name]);
}

function numArg(p: Params, name: string): number | undefined {
  const v = p[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function boolArg(p: Params, name: string): boolean {
  const v = p[name];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** A JSON-serialized parameter: an object in a JSON body, a JSON string in a form or query. */
function jsonArg(p: Params, name: string): any {
  const v = p[name];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function isEntityLike(e: unknown): e is TgMessageEntity {
  return isObject(e) && typeof e.type === 'string' && typeof e.offset === 'number' && typeof e.length === 'number';
}

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** bot_command entities Telegram attaches to incoming texts: /cmd or /cmd@bot at a word start. */
function botCommandEntities(text: string): TgMessageEntity[] {
  const out: TgMessageEntity[] = [];
  const re = /(^|[^\w/])(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)(?![\w@])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: 'bot_command', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- text formatting
//
// Ports of tdlib td/telegram/MessageEntity.cpp (parse_markdown, parse_markdown_v2, parse_html,
// decode_html_entity). They work on UTF-8 bytes, as td does, so "byte offset N" in the errors is
// Telegram's; entity offsets/lengths are counted in UTF-16 code units, like the Bot API's.

export class EntityParseError extends Error {}

interface ParsedText {
  text: string;
  entities: TgMessageEntity[];
}

type TdEntityType =
  | 'Bold'
  | 'Italic'
  | 'Underline'
  | 'Strikethrough'
  | 'Spoiler'
  | 'Code'
  | 'Pre'
  | 'PreCode'
  | 'TextUrl'
  | 'CustomEmoji'
  | 'BlockQuote'
  | 'ExpandableBlockQuote';

const BOT_API_TYPE: Record<TdEntityType, string> = {
  Bold: 'bold',
  Italic: 'italic',
  Underline: 'underline',
  Strikethrough: 'strikethrough',
  Spoiler: 'spoiler',
  Code: 'code',
  Pre: 'pre',
  PreCode: 'pre',
  TextUrl: 'text_link',
  CustomEmoji: 'custom_emoji',
  BlockQuote: 'blockquote',
  ExpandableBlockQuote: 'expandable_blockquote',
};

const ch = (s: string): number => s.charCodeAt(0);
const BACKSLASH = ch('\\');
const LF = ch('\n');
const CR = ch('\r');
const BACKTICK = ch('`');
const LT = ch('<');
const GT = ch('>');
const AMP = ch('&');
const SLASH = ch('/');
const EQ = ch('=');
const SEMI = ch(';');
const DQUOTE = ch('"');
const SQUOTE = ch("'");

/** td::is_space: ' ', '\t', '\r', '\n', '\0', '\v' (the '\0' is td's end-of-string sentinel). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x00 || c === 0x0b;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
function isFirstCodeUnit(c: number): boolean {
  return (c & 0xc0) !== 0x80;
}
/** UTF-16 units of the character starting with byte c (4-byte UTF-8 = a surrogate pair). */
function utf16Units(c: number): number {
  return c >= 0xf0 ? 2 : 1;
}
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (x) => x.toLowerCase());
}
function appendUtf8(out: number[], code: number): void {
  if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd; // a lone surrogate: td rejects the text later
  for (const b of Buffer.from(String.fromCodePoint(code), 'utf8')) out.push(b);
}
function bytesToString(bytes: number[] | Uint8Array, from = 0, to?: number): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes)).subarray(from, to).toString('utf8');
}

interface TdEntity {
  type: TdEntityType | 'MentionName';
  offset: number;
  length: number;
  argument?: string;
  userId?: number;
}

function toBotApi(entities: TdEntity[]): TgMessageEntity[] {
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return sorted.map((e) => {
    if (e.type === 'MentionName') {
      return { type: 'text_mention', offset: e.offset, length: e.length, user: { id: e.userId!, is_bot: false, first_name: '' } };
    }
    const out: TgMessageEntity = { type: BOT_API_TYPE[e.type], offset: e.offset, length: e.length };
    if (e.type === 'TextUrl') out.url = e.argument;
    if (e.type === 'PreCode') out.language = e.argument;
    if (e.type === 'CustomEmoji') out.custom_emoji_id = e.argument;
    return out;
  });
}

/** LinkManager::get_link_user_id: tg://user?id=N (or tg:user?id=N) mentions a user. */
function linkUserId(url: string): number | undefined {
  const m = /^tg:(?:\/\/)?user\?(?:.*&)?id=(\d{1,15})(?:&.*)?$/i.exec(url.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * LinkManager::get_checked_link, simplified: http(s) URLs with a dotted host (a bare domain gets
 * "http://"), tg:, ton: and tonsite: links; anything else is not a link ('' = no entity).
 */
function checkedLink(raw: string): string {
  const s = raw.trim();
  if (s === '' || /\s/.test(s)) return '';
  if (/^(tg|ton|tonsite):/i.test(s)) return s;
  const explicit = /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
  try {
    const u = new URL(explicit ? s : `http://${s}`);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
    if (!/\.(?:[a-z]{2,}|xn--[a-z0-9-]+)$/i.test(u.hostname) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(u.hostname)) return '';
    return u.href;
  } catch {
    return '';
  }
}

/** LinkManager::get_link_custom_emoji_id: tg://emoji?id=N. */
function customEmojiId(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):(?:\/\/)?([^/?#]*)\/?(\?[^#]*)?/i.exec(url);
  if (!m || m[1]!.toLowerCase() !== 'tg') throw new EntityParseError('Custom emoji URL must have scheme tg');
  if (m[2]!.toLowerCase() !== 'emoji') throw new EntityParseError('Custom emoji URL must have host "emoji"');
  const id = new URLSearchParams(m[3] ?? '').get('id');
  if (id === null || id === '') throw new EntityParseError('Custom emoji URL must have an emoji identifier');
  if (!/^[1-9]\d{0,18}$/.test(id)) throw new EntityParseError('Invalid custom emoji identifier specified');
  return id;
}

/** parse_mode MarkdownV2: td parse_markdown_v2. */
export function parseMarkdownV2(input: string): ParsedText {
  const text = Buffer.from(input, 'utf8');
  const n = text.length;
  const at = (i: number): number => (i < n ? text[i]! : 0);
  const out: number[] = [];
  const entities: TdEntity[] = [];
  let utf16 = 0;
  interface Nested {
    type: TdEntityType;
    argument: string;
    offset: number;
    byteOffset: number;
    beginPos: number;
  }
  const nested: Nested[] = [];
  const reservedError = (c: number) =>
    new EntityParseError(`Character '${String.fromCharCode(c)}' is reserved and must be escaped with the preceding '\\'`);
  const endError = (e: Nested) => new EntityParseError(`Can't find end of ${e.type} entity at byte offset ${e.byteOffset}`);
  const RESERVED = new Set([...'_*[]()~`>#+-=|{}.!\n'].map(ch));
  const RESERVED_IN_CODE = new Set([BACKTICK]);
  let haveBlockquote = false;
  let canStartBlockquote = true;

  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === BACKSLASH && at(i + 1) > 0 && at(i + 1) <= 126) {
      i++;
      utf16 += 1;
      out.push(text[i]!);
      if (text[i] !== CR) canStartBlockquote = text[i] === LF;
      continue;
    }
    const top = nested[nested.length - 1];
    const reserved = top && (top.type === 'Code' || top.type === 'Pre' || top.type === 'PreCode') ? RESERVED_IN_CODE : RESERVED;
    if (!reserved.has(c)) {
      if (isFirstCodeUnit(c)) {
        utf16 += utf16Units(c);
        if (c !== CR) canStartBlockquote = false;
      }
      out.push(c);
      continue;
    }

    const isEndOfAnEntity = ((): boolean => {
      if (!top) return false;
      if (haveBlockquote && c === LF && (i + 1 === n || at(i + 1) !== GT)) return true;
      switch (top.type) {
        case 'Bold':
          return c === ch('*');
        case 'Italic':
          return c === ch('_') && at(i + 1) !== ch('_');
        case 'Code':
          return c === BACKTICK;
        case 'Pre':
        case 'PreCode':
          return c === BACKTICK && at(i + 1) === BACKTICK && at(i + 2) === BACKTICK;
        case 'TextUrl':
        case 'CustomEmoji':
          return c === ch(']');
        case 'Underline':
          return c === ch('_') && at(i + 1) === ch('_');
        case 'Strikethrough':
          return c === ch('~');
        case 'Spoiler':
          return c === ch('|') && at(i + 1) === ch('|');
        default:
          return false; // BlockQuote ends only at a line not starting with '>'
      }
    })();

    if (!isEndOfAnEntity) {
      // begin of an entity
      let type: TdEntityType | undefined;
      let argument = '';
      const byteOffset = i;
      switch (String.fromCharCode(c)) {
        case '_':
          if (at(i + 1) === ch('_')) {
            type = 'Underline';
            i++;
          } else type = 'Italic';
          break;
        case '*':
          type = 'Bold';
          break;
        case '~':
          type = 'Strikethrough';
          break;
        case '|':
          if (at(i + 1) !== ch('|')) throw reservedError(c);
          i++;
          type = 'Spoiler';
          break;
        case '[':
          type = 'TextUrl';
          break;
        case '`':
          if (at(i + 1) === BACKTICK && at(i + 2) === BACKTICK) {
            i += 3;
            type = 'Pre';
            let languageEnd = i;
            while (!isSpace(at(languageEnd)) && at(languageEnd) !== BACKTICK) languageEnd++;
            if (i !== languageEnd && languageEnd < n && at(languageEnd) !== BACKTICK) {
              type = 'PreCode';
              argument = bytesToString(text, i, languageEnd);
              i = languageEnd;
            }
            // skip one new line in the beginning of the text
            if (at(i) === LF || at(i) === CR) {
              if ((at(i + 1) === LF || at(i + 1) === CR) && at(i) !== at(i + 1)) i += 2;
              else i++;
            }
            i--;
          } else type = 'Code';
          break;
        case '!':
          if (at(i + 1) !== ch('[')) throw reservedError(c);
          i++;
          type = 'CustomEmoji';
          break;
        case '\n':
          utf16 += 1;
          out.push(LF);
          canStartBlockquote = true;
          break;
        case '>':
          if (!canStartBlockquote) throw reservedError(c);
          if (!haveBlockquote) {
            type = 'BlockQuote';
            haveBlockquote = true;
          }
          break;
        default:
          throw reservedError(c);
      }
      if (type === undefined) continue;
      nested.push({ type, argument, offset: utf16, byteOffset, beginPos: out.length });
    } else {
      // end of an entity
      let last = nested[nested.length - 1]!;
      let type: TdEntityType = last.type;
      if (c === LF && type !== 'BlockQuote') {
        if (type !== 'Spoiler' || !(last.byteOffset === i - 2 || (last.byteOffset === i - 3 && out.length !== 0 && out[out.length - 1] === CR))) {
          throw endError(last);
        }
        nested.pop();
        last = nested[nested.length - 1]!;
        if (last.type !== 'BlockQuote') throw endError(last);
        type = 'ExpandableBlockQuote';
      }
      let argument = last.argument;
      let userId: number | undefined;
      let skipEntity = utf16 === last.offset;
      switch (type) {
        case 'Bold':
        case 'Italic':
        case 'Code':
        case 'Strikethrough':
          break;
        case 'Underline':
        case 'Spoiler':
          i++;
          break;
        case 'Pre':
        case 'PreCode':
          i += 2;
          break;
        case 'TextUrl': {
          let url: string;
          if (at(i + 1) !== ch('(')) {
            url = bytesToString(out, last.beginPos); // use the text as the URL
          } else {
            i += 2;
            const urlBeginPos = i;
            const urlBytes: number[] = [];
            while (i < n && text[i] !== ch(')')) {
              if (text[i] === BACKSLASH && at(i + 1) > 0 && at(i + 1) <= 126) {
                urlBytes.push(text[i + 1]!);
                i += 2;
                continue;
              }
              urlBytes.push(text[i++]!);
            }
            if (at(i) !== ch(')')) throw new EntityParseError(`Can't find end of a URL at byte offset ${urlBeginPos}`);
            url = bytesToString(urlBytes);
          }
          userId = linkUserId(url);
          if (userId === undefined) {
            const checked = checkedLink(url);
            if (checked === '') skipEntity = true;
            else argument = checked;
          }
          break;
        }
        case 'CustomEmoji': {
          if (at(i + 1) !== ch('(')) throw new EntityParseError('Custom emoji entity must contain a tg://emoji URL');
          i += 2;
          const urlBeginPos = i;
          const urlBytes: number[] = [];
          while (i < n && text[i] !== ch(')')) {
            if (text[i] === BACKSLASH && at(i + 1) > 0 && at(i + 1) <= 126) {
              urlBytes.push(text[i + 1]!);
              i += 2;
              continue;
            }
            urlBytes.push(text[i++]!);
          }
          if (at(i) !== ch(')')) throw new EntityParseError(`Can't find end of a custom emoji URL at byte offset ${urlBeginPos}`);
          argument = customEmojiId(bytesToString(urlBytes));
          break;
        }
        case 'BlockQuote':
        case 'ExpandableBlockQuote':
          haveBlockquote = false;
          out.push(text[i]!);
          canStartBlockquote = true;
          utf16 += 1;
          skipEntity = false;
          break;
      }
      if (!skipEntity) {
        const length = utf16 - last.offset;
        if (userId !== undefined) entities.push({ type: 'MentionName', offset: last.offset, length, userId });
        else entities.push({ type, offset: last.offset, length, argument });
      }
      nested.pop();
    }
  }
  if (haveBlockquote) {
    let type: TdEntityType = 'BlockQuote';
    let last = nested[nested.length - 1]!;
    if (last.type === 'Spoiler' && last.byteOffset === n - 2) {
      nested.pop();
      last = nested[nested.length - 1]!;
      type = 'ExpandableBlockQuote';
    }
    if (last.type === 'BlockQuote') {
      const length = utf16 - last.offset;
      if (length !== 0) entities.push({ type, offset: last.offset, length });
      nested.pop();
    }
  }
  if (nested.length > 0) throw endError(nested[nested.length - 1]!);
  return { text: bytesToString(out), entities: toBotApi(entities) };
}

/** parse_mode Markdown (legacy): td parse_markdown. */
export function parseMarkdown(input: string): ParsedText {
  const text = Buffer.from(input, 'utf8');
  const n = text.length;
  const at = (i: number): number => (i < n ? text[i]! : 0);
  const out: number[] = [];
  const entities: TdEntity[] = [];
  let utf16 = 0;
  const special = new Set([ch('_'), ch('*'), BACKTICK, ch('[')]);
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === BACKSLASH && special.has(at(i + 1))) {
      i++;
      out.push(text[i]!);
      utf16++;
      continue;
    }
    if (!special.has(c)) {
      if (isFirstCodeUnit(c)) utf16 += utf16Units(c);
      out.push(c);
      continue;
    }
    // we are at begin of the entity
    const beginPos = i;
    const endCharacter = c === ch('[') ? ch(']') : c;
    let isPre = false;
    i++;
    let language = '';
    if (c === BACKTICK && at(i) === BACKTICK && at(i + 1) === BACKTICK) {
      i += 2;
      isPre = true;
      let languageEnd = i;
      while (!isSpace(at(languageEnd)) && at(languageEnd) !== BACKTICK) languageEnd++;
      if (i !== languageEnd && languageEnd < n && at(languageEnd) !== BACKTICK) {
        language = bytesToString(text, i, languageEnd);
        i = languageEnd;
      }
      if (at(i) === LF || at(i) === CR) {
        if ((at(i + 1) === LF || at(i + 1) === CR) && at(i) !== at(i + 1)) i += 2;
        else i++;
      }
    }
    const entityOffset = utf16;
    while (i < n && (text[i] !== endCharacter || (isPre && !(at(i + 1) === BACKTICK && at(i + 2) === BACKTICK)))) {
      const cur = text[i]!;
      if (isFirstCodeUnit(cur)) utf16 += utf16Units(cur);
      out.push(text[i++]!);
    }
    if (i === n) throw new EntityParseError(`Can't find end of the entity starting at byte offset ${beginPos}`);
    if (entityOffset !== utf16) {
      const length = utf16 - entityOffset;
      if (c === ch('_')) entities.push({ type: 'Italic', offset: entityOffset, length });
      else if (c === ch('*')) entities.push({ type: 'Bold', offset: entityOffset, length });
      else if (c === ch('[')) {
        let url: string;
        if (at(i + 1) !== ch('(')) url = bytesToString(text, beginPos + 1, i);
        else {
          i += 2;
          const urlStart = i;
          while (i < n && text[i] !== ch(')')) i++;
          url = bytesToString(text, urlStart, i);
        }
        const userId = linkUserId(url);
        if (userId !== undefined) entities.push({ type: 'MentionName', offset: entityOffset, length, userId });
        else {
          const checked = checkedLink(url);
          if (checked !== '') entities.push({ type: 'TextUrl', offset: entityOffset, length, argument: checked });
        }
      } else if (isPre) {
        entities.push(language === '' ? { type: 'Pre', offset: entityOffset, length } : { type: 'PreCode', offset: entityOffset, length, argument: language });
      } else entities.push({ type: 'Code', offset: entityOffset, length });
    }
    if (isPre) i += 2;
  }
  return { text: bytesToString(out), entities: toBotApi(entities) };
}

/** td decode_html_entity: &lt; &gt; &amp; &quot; &#N; &#xH; (the ';' is optional for td). */
function decodeHtmlEntity(text: Buffer, pos: number): { code: number; next: number; terminated: boolean } | undefined {
  const n = text.length;
  const at = (i: number): number => (i < n ? text[i]! : 0);
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === ch('#')) {
    end++;
    if (at(pos + 2) === ch('x')) {
      end++;
      while (isHexDigit(at(end))) code = code * 16 + parseInt(String.fromCharCode(at(end++)), 16);
    } else {
      while (isDigit(at(end))) code = code * 10 + (at(end++) - 0x30);
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (isAlpha(at(end))) end++;
    const name = text.subarray(pos + 1, end).toString('latin1');
    const named: Record<string, number> = { lt: LT, gt: GT, amp: AMP, quot: DQUOTE };
    if (!(name in named)) return undefined;
    code = named[name]!;
  }
  const terminated = at(end) === SEMI;
  return { code, next: terminated ? end + 1 : end, terminated };
}

const HTML_TAGS = new Set(['a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote']);

/** parse_mode HTML: td parse_html, plus the strict '&'/'>' check described in the file header. */
export function parseHtml(input: string, strict = true): ParsedText {
  const text = Buffer.from(input, 'utf8');
  const n = text.length;
  const at = (i: number): number => (i < n ? text[i]! : 0);
  const out: number[] = [];
  const entities: TdEntity[] = [];
  let utf16 = 0;
  const nested: Array<{ tag: string; argument: string; offset: number; beginPos: number }> = [];
  const err = (m: string) => new EntityParseError(m);

  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === AMP) {
      const decoded = decodeHtmlEntity(text, i);
      if (decoded && (decoded.terminated || !strict)) {
        i = decoded.next - 1; // i is incremented by the loop
        utf16 += decoded.code > 0xffff ? 2 : 1;
        appendUtf8(out, decoded.code);
        continue;
      }
      if (strict) {
        throw err(`Character '&' at byte offset ${i} must be escaped as &amp; (mock-telegram strict HTML; Telegram keeps a bare '&')`);
      }
    }
    if (c !== LT) {
      if (strict && c === GT) {
        throw err(`Character '>' at byte offset ${i} must be escaped as &gt; (mock-telegram strict HTML; Telegram keeps a bare '>')`);
      }
      if (isFirstCodeUnit(c)) utf16 += utf16Units(c);
      out.push(c);
      continue;
    }

    const beginPos = i++;
    if (at(i) !== SLASH) {
      // begin of an entity
      while (!isSpace(at(i)) && at(i) !== GT) i++;
      if (at(i) === 0) throw err(`Unclosed start tag at byte offset ${beginPos}`);
      const tag = asciiLower(bytesToString(text, beginPos + 1, i));
      if (!HTML_TAGS.has(tag)) throw err(`Unsupported start tag "${tag}" at byte offset ${beginPos}`);

      let argument = '';
      while (at(i) !== GT) {
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === GT) break;
        const attributeBegin = i;
        while (!isSpace(at(i)) && at(i) !== EQ && at(i) !== GT && at(i) !== SLASH && at(i) !== DQUOTE && at(i) !== SQUOTE) i++;
        const attributeName = bytesToString(text, attributeBegin, i);
        if (attributeName === '') throw err(`Empty attribute name in the tag "${tag}" at byte offset ${beginPos}`);
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) !== EQ) {
          if (at(i) === 0) throw err(`Unclosed start tag "${tag}" at byte offset ${beginPos}`);
          if (tag === 'blockquote' && attributeName === 'expandable') argument = '1';
          continue;
        }
        i++;
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === 0) throw err(`Unclosed start tag "${tag}" at byte offset ${beginPos}`);

        let value: string;
        if (at(i) !== SQUOTE && at(i) !== DQUOTE) {
          // a name token: letters, digits, periods, hyphens; case-insensitive
          const tokenBegin = i;
          while (isAlnum(at(i)) || at(i) === ch('.') || at(i) === ch('-')) i++;
          value = asciiLower(bytesToString(text, tokenBegin, i));
          if (!isSpace(at(i)) && at(i) !== GT) throw err(`Unexpected end of name token at byte offset ${tokenBegin}`);
        } else {
          // a string literal
          const endCharacter = text[i++]!;
          const valueBytes: number[] = [];
          while (at(i) !== endCharacter && at(i) !== 0) {
            if (text[i] === AMP) {
              const decoded = decodeHtmlEntity(text, i);
              if (decoded) {
                appendUtf8(valueBytes, decoded.code);
                i = decoded.next;
                continue;
              }
            }
            valueBytes.push(text[i++]!);
          }
          if (at(i) === endCharacter) i++;
          value = bytesToString(valueBytes);
        }
        if (at(i) === 0) throw err(`Unclosed start tag at byte offset ${beginPos}`);

        if (tag === 'a' && attributeName === 'href') argument = value;
        else if (tag === 'code' && attributeName === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (tag === 'span' && attributeName === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && attributeName === 'emoji-id') argument = value;
        else if (tag === 'blockquote' && attributeName === 'expandable') argument = '1';
      }
      if (tag === 'span' && argument !== 'spoiler') throw err(`Tag "span" must have class "tg-spoiler" at byte offset ${beginPos}`);
      nested.push({ tag, argument, offset: utf16, beginPos: out.length });
    } else {
      // end of an entity
      if (nested.length === 0) throw err(`Unexpected end tag at byte offset ${beginPos}`);
      while (!isSpace(at(i)) && at(i) !== GT) i++;
      const endTag = asciiLower(bytesToString(text, beginPos + 2, i));
      while (isSpace(at(i)) && at(i) !== 0) i++;
      if (at(i) !== GT) throw err(`Unclosed end tag at byte offset ${beginPos}`);
      const top = nested[nested.length - 1]!;
      if (endTag !== '' && endTag !== top.tag) {
        throw err(`Unmatched end tag at byte offset ${beginPos}, expected "</${top.tag}>", found "</${endTag}>"`);
      }
      if (utf16 > top.offset) {
        const offset = top.offset;
        const length = utf16 - offset;
        const last = entities[entities.length - 1];
        switch (top.tag) {
          case 'i':
          case 'em':
            entities.push({ type: 'Italic', offset, length });
            break;
          case 'b':
          case 'strong':
            entities.push({ type: 'Bold', offset, length });
            break;
          case 's':
          case 'strike':
          case 'del':
            entities.push({ type: 'Strikethrough', offset, length });
            break;
          case 'u':
          case 'ins':
            entities.push({ type: 'Underline', offset, length });
            break;
          case 'tg-spoiler':
          case 'span':
            entities.push({ type: 'Spoiler', offset, length });
            break;
          case 'tg-emoji':
            if (!/^[1-9]\d{0,18}$/.test(top.argument)) throw err('Invalid custom emoji identifier specified');
            entities.push({ type: 'CustomEmoji', offset, length, argument: top.argument });
            break;
          case 'a': {
            const url = top.argument !== '' ? top.argument : bytesToString(out, top.beginPos);
            const userId = linkUserId(url);
            if (userId !== undefined) entities.push({ type: 'MentionName', offset, length, userId });
            else {
              const checked = checkedLink(url);
              if (checked !== '') entities.push({ type: 'TextUrl', offset, length, argument: checked });
            }
            break;
          }
          case 'pre':
            if (last && last.type === 'Code' && last.offset === offset && last.length === length && last.argument) last.type = 'PreCode';
            else entities.push({ type: 'Pre', offset, length });
            break;
          case 'code':
            if (last && last.type === 'Pre' && last.offset === offset && last.length === length && top.argument !== '') {
              last.type = 'PreCode';
              last.argument = top.argument;
            } else entities.push({ type: 'Code', offset, length, argument: top.argument });
            break;
          case 'blockquote':
            entities.push({ type: top.argument !== '' ? 'ExpandableBlockQuote' : 'BlockQuote', offset, length });
            break;
        }
      }
      nested.pop();
    }
  }
  if (nested.length > 0) throw err(`Can't find end tag corresponding to start tag "${nested[nested.length - 1]!.tag}"`);
  for (const e of entities) if (e.type === 'Code') delete e.argument;
  return { text: bytesToString(out), entities: toBotApi(entities) };
}

/**
 * td fix_formatted_text, the part visible to a bot: leading and trailing whitespace is removed and
 * entities are clipped to what remains (empty ones dropped).
 */
function trimFormatted(parsed: ParsedText): ParsedText {
  const lead = /^[ \t\r\n\v\f]*/.exec(parsed.text)![0].length;
  const text = parsed.text.slice(lead).replace(/[ \t\r\n\v\f]+$/, '');
  const entities: TgMessageEntity[] = [];
  for (const e of parsed.entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(text.length, e.offset + e.length - lead);
    if (end > start) entities.push({ ...e, offset: start, length: end - start });
  }
  return { text, entities };
}
