import type { SequenceModel } from './schema-model.js';

/** Each integer type's range, as PostgreSQL bounds a sequence of it. */
export const SEQUENCE_RANGES: Record<SequenceModel['type'], [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/** PostgreSQL's defaults for the options a sequence leaves out, given its type, step and bounds (as far as given). */
export function sequenceDefaults(type: SequenceModel['type'], increment: bigint, given: { min?: bigint; max?: bigint } = {}) {
  const [low, high] = SEQUENCE_RANGES[type];
  const ascending = increment > 0n;
  const min = given.min ?? (ascending ? 1n : low);
  const max = given.max ?? (ascending ? high : -1n);
  return { min, max, start: ascending ? min : max, cache: 1n };
}
