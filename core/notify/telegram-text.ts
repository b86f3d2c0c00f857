/**
 * Telegram's length limit, counted the way Telegram counts it, and a cut that always leaves a
 * valid message. Telegram refuses (400 "message is too long") a text whose length AFTER parsing
 * the markup is above 4,096 UTF-16 code units: tags and markers do not count, "&lt;" counts as
 * one. Cutting the source text at 4,096 characters instead would cut inside a tag ("<i" left
 * open) or an entity ("&am"), which Telegram refuses as "can't parse entities", and the
 * notification is dropped. fitText cuts between visible characters only, never inside a tag, an
 * entity, an escape or a surrogate pair, closes the tags (markers) left open, and marks the cut
 * with "…".
 */
import type { TextFormat } from './templates';

/** Telegram's limit per message, in UTF-16 code units of the parsed text. */
export const TELEGRAM_MAX_TEXT = 4096;
/** What a cut text ends with (one code unit, so it fits where the cut was). */
export const CUT_MARK = '…';

/** One piece of a formatted text: visible text (with its length) or markup that opens/closes a format. */
interface Token {
  source: string;
  visible: number;
  open?: string;
  close?: string;
}

/** HTML as the templates make it: tags, the entities &lt; &gt; &amp; &quot; &#N; &#xH;, and text. */
function* htmlTokens(text: string): Generator<Token> {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '<') {
      const end = text.indexOf('>', i);
      const tag = end < 0 ? text.slice(i) : text.slice(i, end + 1);
      i += tag.length;
      const m = /^<(\/?)([a-zA-Z][\w-]*)/.exec(tag);
      if (!m) yield { source: tag, visible: 0 };
      else if (m[1]) yield { source: tag, visible: 0, close: m[2]!.toLowerCase() };
      else yield { source: tag, visible: 0, open: m[2]!.toLowerCase() };
      continue;
    }
    if (c === '&') {
      const m = /^&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(text.slice(i, i + 12));
      if (m) {
        const code = m[0].startsWith('&#x') ? parseInt(m[0].slice(3), 16) : m[0].startsWith('&#') ? Number(m[0].slice(2, -1)) : 0;
        yield { source: m[0], visible: code > 0xffff ? 2 : 1 };
        i += m[0].length;
        continue;
      }
    }
    const unit = codePointAt(text, i);
    yield { source: unit, visible: unit.length };
    i += unit.length;
  }
}

/** MarkdownV2 as the templates make it: "\x" escapes, and the markers * _ ~ || ` ``` that pair up. */
function* markdownV2Tokens(text: string): Generator<Token> {
  const open: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const unit = codePointAt(text, i + 1);
      yield { source: `\\${unit}`, visible: unit.length };
      i += 1 + unit.length;
      continue;
    }
    const marker = text.startsWith('```', i) ? '```' : text.startsWith('||', i) ? '||' : text.startsWith('__', i) ? '__' : '*_~`'.includes(c) ? c : undefined;
    if (marker) {
      i += marker.length;
      if (open[open.length - 1] === marker) {
        open.pop();
        yield { source: marker, visible: 0, close: marker };
      } else {
        open.push(marker);
        yield { source: marker, visible: 0, open: marker };
      }
      continue;
    }
    const unit = codePointAt(text, i);
    yield { source: unit, visible: unit.length };
    i += unit.length;
  }
}

function* plainTokens(text: string): Generator<Token> {
  for (let i = 0; i < text.length; ) {
    const unit = codePointAt(text, i);
    yield { source: unit, visible: unit.length };
    i += unit.length;
  }
}

/** The character at i, whole: a surrogate pair is never split. */
function codePointAt(text: string, i: number): string {
  const code = text.charCodeAt(i);
  return code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? text.slice(i, i + 2) : text[i]!;
}

function tokens(format: TextFormat, text: string): Generator<Token> {
  return format === 'HTML' ? htmlTokens(text) : format === 'MarkdownV2' ? markdownV2Tokens(text) : plainTokens(text);
}

/** The length Telegram checks: UTF-16 code units of the text after the markup is parsed. */
export function visibleLength(format: TextFormat, text: string): number {
  let n = 0;
  for (const t of tokens(format, text)) n += t.visible;
  return n;
}

/**
 * The text as it can be sent: unchanged when it fits in `max` visible characters, else cut
 * between visible characters, "…" added, and every tag or marker still open closed (in order).
 */
export function fitText(format: TextFormat, text: string, max = TELEGRAM_MAX_TEXT): string {
  if (visibleLength(format, text) <= max) return text;
  const room = max - CUT_MARK.length;
  let out = '';
  let used = 0;
  const open: string[] = [];
  for (const t of tokens(format, text)) {
    if (t.visible > 0 && used + t.visible > room) break;
    used += t.visible;
    out += t.source;
    if (t.open) open.push(t.open);
    else if (t.close) {
      const at = open.lastIndexOf(t.close);
      if (at >= 0) open.splice(at, 1);
    }
  }
  let closing = '';
  for (const tag of open.reverse()) closing += format === 'HTML' ? `</${tag}>` : tag;
  return `${out}${CUT_MARK}${closing}`;
}
