/**
 * The client order id an exchange receives, in the exchange's own format.
 *
 * The flow's messages carry one id per order, `clientOrderId` (`tb-` + 24 hex digits of the
 * signal's digest; docs/message-contract.md). Exchanges disagree on what such an id may look
 * like, and one that does not fit makes every order fail (Kraken: "EGeneral:Invalid
 * arguments:cl_ord_id"). So the id sent is derived from the flow's id by a fixed rule per
 * exchange: the same flow id gives the same exchange id on every run, after every restart, in
 * every instance, which is what keeps a resend or a lookup pointing at the one order.
 *
 * The formats, and why (docs/exchanges.md has the table):
 *  - uuid: Kraken `cl_ord_id` (a UUID, 32 hex digits, or at most 18 characters of text),
 *    Coinbase `client_order_id` / `client_oid` (a UUID).
 *  - int45: Bitfinex `cid`, an integer of at most 45 bits; 44 bits of the digest, never 0.
 *  - alnum32: OKX `clOrdId`, 1-32 letters and digits.
 *  - gate: Gate.io `text`, "t-" + at most 28 characters.
 *  - as-is: Binance (`newClientOrderId`, up to 36 of [.A-Z:/a-z0-9_-]), Bybit (`orderLinkId`,
 *    36), KuCoin (`clientOid`, 40) and any exchange not listed: the flow's id unchanged.
 */
import { createHash } from 'node:crypto';

export type ClientOrderIdFormat = 'as-is' | 'uuid' | 'int45' | 'alnum32' | 'gate';

const FORMAT_BY_EXCHANGE: Record<string, ClientOrderIdFormat> = {
  kraken: 'uuid',
  coinbase: 'uuid',
  coinbaseexchange: 'uuid',
  coinbaseadvanced: 'uuid',
  bitfinex: 'int45',
  okx: 'alnum32',
  myokx: 'alnum32',
  okxus: 'alnum32',
  gate: 'gate',
  gateio: 'gate',
};

/** What each format looks like, for the exchange node's dialog and docs. */
export const FORMAT_DESCRIPTIONS: Record<ClientOrderIdFormat, string> = {
  'as-is': 'the flow\'s id unchanged ("tb-" + 24 hex digits)',
  uuid: 'a UUID made from the flow\'s id (sha-256, 8-4-4-4-12 hex digits)',
  int45: 'an integer made from the flow\'s id (44 bits of its sha-256)',
  alnum32: 'letters and digits only: the flow\'s id without "-", at most 32 characters',
  gate: '"t-" + the flow\'s id (at most 28 characters after "t-")',
};

export function clientOrderIdFormat(exchangeId: string): ClientOrderIdFormat {
  return FORMAT_BY_EXCHANGE[exchangeId] ?? 'as-is';
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * The id `exchangeId` receives for the flow's `clientOrderId`. Deterministic: the same inputs
 * always give the same output.
 */
export function exchangeClientOrderId(exchangeId: string, clientOrderId: string): string {
  switch (clientOrderIdFormat(exchangeId)) {
    case 'uuid': {
      const h = digest(clientOrderId);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    case 'int45': {
      const n = parseInt(digest(clientOrderId).slice(0, 11), 16);
      return String(n === 0 ? 1 : n);
    }
    case 'alnum32': {
      const plain = clientOrderId.replace(/[^A-Za-z0-9]/g, '');
      return plain.length >= 1 && plain.length <= 32 ? plain : `tb${digest(clientOrderId).slice(0, 30)}`;
    }
    case 'gate': {
      const rest = clientOrderId.replace(/[^A-Za-z0-9_.-]/g, '');
      return rest.length >= 1 && rest.length <= 28 ? `t-${rest}` : `t-tb${digest(clientOrderId).slice(0, 26)}`;
    }
    default:
      return clientOrderId;
  }
}

/** The client order id an order fetched through ccxt echoes (ccxt's unified field), or undefined. */
export function echoedClientOrderId(order: { clientOrderId?: unknown } | null | undefined): string | undefined {
  const value = order?.clientOrderId;
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** The id as ccxt's createOrder params carry it: a number where the exchange wants an integer (Bitfinex `cid`). */
export function clientOrderIdParam(exchangeId: string, clientOrderId: string): string | number {
  const id = exchangeClientOrderId(exchangeId, clientOrderId);
  return clientOrderIdFormat(exchangeId) === 'int45' ? Number(id) : id;
}

/**
 * The flow's id back from the id an exchange echoed, among the flow ids that could have made it
 * (the account's orders): undefined when none did (an order placed by hand, or by another bot).
 */
export function flowClientOrderId(exchangeId: string, echoed: string | null | undefined, candidates: Iterable<string>): string | undefined {
  if (echoed === null || echoed === undefined || echoed === '') return undefined;
  const text = String(echoed);
  for (const id of candidates) if (id === text || exchangeClientOrderId(exchangeId, id) === text) return id;
  return undefined;
}
