/**
 * Where quoted text that opens at `start` ends (just past its closing quote), a doubled quote
 * being the quote itself, as SQL writes it in names and standard strings; unterminated, it runs to
 * the end of `text`.
 */
export function endOfQuoted(text: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] !== quote) i++;
    else if (text[i + 1] === quote) i += 2;
    else return i + 1;
  }
  return text.length;
}
