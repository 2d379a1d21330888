/**
 * Casts as servers print them back (`'a'::character varying`, `x::timestamp(3) without time zone`).
 * The precision of timestamp and time comes before `with(out) time zone`, so it has its own place.
 */
const CAST =
  /^::(?:character varying|timestamp(?:\(\d+\))? with(?:out)? time zone|time(?:\(\d+\))? with(?:out)? time zone|double precision|bit varying|"[^"]+"|[a-z_][a-z0-9_.]*)(?:\(\d+(?:,\d+)?\))?(?:\[\])*/i;

/** How many characters the cast at the start of `text` (which starts with `::`) takes; a cast the pattern does not know, only its `::`. */
export function castLength(text: string): number {
  return CAST.exec(text)?.[0].length ?? 2;
}
