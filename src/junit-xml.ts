/** Text written into JUnit XML and terminal reports, where some characters must not go as they are. */

/** `\u001b`: a character that must not be written as it is, written so that a reader still sees which one it was. */
export const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * XML 1.0 forbids most control characters, lone surrogates and U+FFFE/U+FFFF even as character
 * references, and CI parsers reject the whole file over one of them: write them as visible text.
 */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, escaped)
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/** Parsers turn a raw tab or line break in an attribute into a space; a reference survives. */
export const xmlAttr = (text: string) => xmlText(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
