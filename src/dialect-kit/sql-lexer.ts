/**
 * How a dialect writes what can hide a keyword, a semicolon or a parenthesis from a statement
 * classifier: quoted text and comments. Options left out are off.
 */
export interface LexicalRules {
  /** Characters that quote a name: `"` (standard SQL), `` ` `` (MySQL). A doubled one stands for itself. */
  nameQuotes: string;
  /** Characters that quote a string: `'`, and `"` on MySQL. A doubled one stands for itself. */
  stringQuotes: string;
  /** Strings in which a backslash escapes the next character: all of them, or only `E'...'` (PostgreSQL). */
  backslashEscapes?: 'always' | 'prefixed';
  /** `$$ ... $$` and `$tag$ ... $tag$` quote text (PostgreSQL's function bodies). */
  dollarQuotes?: boolean;
  /** A block comment inside a block comment needs a close of its own. */
  nestedComments?: boolean;
  /** `#` starts a comment to the end of the line. */
  hashComments?: boolean;
  /** `--` starts a comment only before white space or a control character (MySQL, where `1--1` is arithmetic). */
  spacedDashComments?: boolean;
  /** `/*! ... *\/` (MariaDB also `/*M! ... *\/`) holds SQL the server runs, not a comment. */
  executableComments?: boolean;
}

export interface SqlLexer {
  /**
   * The statements in a string, cleaned for classification: split on semicolons outside quoted text
   * and comments (a multi-statement string runs them all), comments removed, quoted text emptied,
   * the rest lower-cased, white space collapsed. Empty statements, as after a trailing semicolon,
   * are dropped.
   */
  statements(sql: string): string[];
  /** A pattern (RegExp source) of one name in raw text, quoted or bare. */
  name: string;
  /** A name `name` matched, as the server reads it: unquoted, or lower-cased when bare. */
  bare(name: string): string;
}

/**
 * A name in cleaned text. Quoted names are emptied to their quotes, so any run without white space
 * is one name, however it was quoted.
 */
export const NAME = '\\S+';

/** Where a quoted text or a comment starting in a statement ends, and what stands for it once cleaned. */
type Span = { end: number; text: string };

/** A dollar-quote opener (`$$`, `$body$`); it cannot continue a name (`a$b$`) and `$1` is a parameter. */
const DOLLAR_TAG = /\$(?:[A-Za-z_]\w*)?\$/y;

/** An executable comment's opener, with the server version it needs (the text is run by newer servers only). */
const EXECUTABLE_OPENER = /\/\*M?!\d*/y;

/** Index after `found` plus `length`, or the end of the text when nothing was found (-1). */
const endOfText = (sql: string, found: number, length: number) => (found === -1 ? sql.length : found + length);

const endOfLine = (sql: string, start: number) => endOfText(sql, sql.indexOf('\n', start), 0);

function endOfNestedComment(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    const pair = sql.slice(i, i + 2);
    if (pair !== '/*' && pair !== '*/') continue;
    depth += pair === '/*' ? 1 : -1;
    i++;
    if (depth === 0) return i + 1;
  }
  return sql.length;
}

/** `E'...'`, and not the end of a name such as `name'`. */
const isEscapeString = (sql: string, quote: number) =>
  /[eE]/.test(sql[quote - 1] ?? '') && !/[\w$]/.test(sql[quote - 2] ?? '');

/** The end of quoted text; a doubled quote is an escaped quote. An unterminated quote runs to the end. */
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

/** White space, a control character, or the end of the text (NaN). */
const spaceOrControl = (code: number) => !(code > 0x20 && code !== 0x7f);

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

export function sqlLexer(rules: LexicalRules): SqlLexer {
  /**
   * The comment or quoted text starting at `i`, or null. Quoted text is emptied to its quotes: names
   * and literals never change a statement's class, and emptied they can hide no keyword, semicolon
   * or parenthesis from a classifier's patterns.
   */
  function spanAt(sql: string, i: number): Span | null {
    const ch = sql[i]!;
    if (ch === '-' && sql[i + 1] === '-' && (!rules.spacedDashComments || spaceOrControl(sql.charCodeAt(i + 2)))) return { end: endOfLine(sql, i), text: ' ' };
    if (ch === '#' && rules.hashComments) return { end: endOfLine(sql, i), text: ' ' };
    if (ch === '/' && sql[i + 1] === '*') {
      return { end: rules.nestedComments ? endOfNestedComment(sql, i) : endOfText(sql, sql.indexOf('*/', i + 2), 2), text: ' ' };
    }
    if (rules.nameQuotes.includes(ch)) return { end: endOfQuoted(sql, i, ch, false), text: ch + ch };
    if (rules.stringQuotes.includes(ch)) {
      const escapes = rules.backslashEscapes === 'always' || (rules.backslashEscapes === 'prefixed' && isEscapeString(sql, i));
      return { end: endOfQuoted(sql, i, ch, escapes), text: ch + ch };
    }
    if (ch === '$' && rules.dollarQuotes && !/[\w$]/.test(sql[i - 1] ?? '')) {
      DOLLAR_TAG.lastIndex = i;
      const tag = DOLLAR_TAG.exec(sql)?.[0];
      if (tag) return { end: endOfText(sql, sql.indexOf(tag, i + tag.length), tag.length), text: "''" };
    }
    return null;
  }

  /** Where the opener (outside one) or the close (inside one) of an executable comment at `i` ends, or null. */
  function executableMarkerAt(sql: string, i: number, inside: boolean): number | null {
    if (inside) return sql.startsWith('*/', i) ? i + 2 : null;
    EXECUTABLE_OPENER.lastIndex = i;
    const opener = EXECUTABLE_OPENER.exec(sql)?.[0];
    return opener ? i + opener.length : null;
  }

  function statements(sql: string): string[] {
    const found: string[] = [];
    let current = '';
    let executable = false;
    for (let i = 0; i < sql.length; ) {
      // Its text is lexed as any other: its quotes and semicolons count, its marks do not.
      const marker = rules.executableComments ? executableMarkerAt(sql, i, executable) : null;
      if (marker !== null) {
        executable = !executable;
        current += ' ';
        i = marker;
        continue;
      }
      const span = spanAt(sql, i);
      if (span) {
        current += span.text;
        i = span.end;
        continue;
      }
      if (sql[i] === ';') {
        found.push(current);
        current = '';
      } else current += sql[i]!.toLowerCase();
      i++;
    }
    found.push(current);
    return found.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s !== '');
  }

  const quotedName = [...rules.nameQuotes].map((q) => {
    const e = escapeRegExp(q);
    return `${e}(?:[^${e}]|${e}${e})*${e}`;
  });
  return {
    statements,
    name: `(?:${[...quotedName, '\\S+'].join('|')})`,
    bare: (name) => {
      const quote = name[0]!;
      return rules.nameQuotes.includes(quote) ? name.slice(1, -1).replaceAll(quote + quote, quote) : name.toLowerCase();
    },
  };
}

/** Splits an ALTER TABLE action list, in cleaned text, on commas outside parentheses. */
export function actions(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Index of the parenthesis closing the one at `open` in cleaned text, or -1. */
export function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}
