/**
 * A strict checker for the plain objects people write by hand (release declarations, the config
 * file). Release files may be plain JavaScript, and TypeScript lets excess keys through a variable
 * anyway, so a misspelt key (`nullabel: false`) would otherwise be dropped without a word and
 * change what is applied. Every unknown key is an error, with the nearest known key suggested.
 */
import { suggestion } from './suggest.js';

export type Report = (path: string, message: string) => void;

/** Checks `value` at `path`, reporting every problem; never throws. */
export type Shape = ((value: unknown, path: string, report: Report) => void) & { describe: string };

const shape = (describe: string, check: (value: unknown, path: string, report: Report) => void): Shape =>
  Object.assign(check, { describe });

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;

const expected = (what: string, value: unknown) => `must be ${what}, got ${kindOf(value)}`;

export const string = (options: { nonEmpty?: boolean } = {}): Shape =>
  shape(options.nonEmpty ? 'a non-empty string' : 'a string', (value, path, report) => {
    if (typeof value !== 'string') report(path, expected('a string', value));
    else if (options.nonEmpty && value.trim() === '') report(path, 'must not be empty');
  });

export const boolean: Shape = shape('true or false', (value, path, report) => {
  if (typeof value !== 'boolean') report(path, expected('true or false', value));
});

export const integer = (options: { min?: number } = {}): Shape => {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const describe = options.min === undefined ? 'an integer' : `an integer >= ${options.min}`;
  return shape(describe, (value, path, report) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) report(path, expected(describe, value));
  });
};

export const func: Shape = shape('a function', (value, path, report) => {
  if (typeof value !== 'function') report(path, expected('a function', value));
});

/** One of a few exact values, compared after `normalize` (e.g. case and spaces). */
export const oneOf = (values: readonly (string | boolean)[], normalize = (v: unknown) => v): Shape => {
  const describe = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return shape(describe, (value, path, report) => {
    if (!values.includes(normalize(value) as string | boolean)) report(path, expected(describe, value));
  });
};

export const array = (item: Shape, options: { nonEmpty?: boolean } = {}): Shape =>
  shape(`a list of ${item.describe}`, (value, path, report) => {
    if (!Array.isArray(value)) return report(path, expected(`a list of ${item.describe}`, value));
    if (options.nonEmpty && value.length === 0) report(path, 'must not be empty');
    value.forEach((v, i) => item(v, `${path}[${i}]`, report));
  });

/** An object used as a map: any key, each value of one shape. */
export const record = (value: Shape): Shape =>
  shape(`an object of ${value.describe}`, (input, path, report) => {
    if (!isPlainObject(input)) return report(path, expected(`an object of ${value.describe}`, input));
    for (const [key, v] of Object.entries(input)) value(v, join(path, key), report);
  });

export interface ObjectOptions {
  /** Keys that must be present. */
  required?: string[];
  /** Keys people bring from other tools, with what to write instead. */
  insteadOf?: Record<string, string>;
  /** Keys that may be present and are checked elsewhere (e.g. a discriminator). */
  ignore?: string[];
}

/** An object with exactly these keys (all optional unless `required`); anything else is an error. */
export const object = (fields: Record<string, Shape>, options: ObjectOptions = {}): Shape =>
  shape('an object', (input, path, report) => {
    if (!isPlainObject(input)) return report(path, expected('an object', input));
    const known = Object.keys(fields);
    for (const key of options.required ?? []) {
      if (input[key] === undefined) report(join(path, key), `is required (${fields[key]?.describe ?? 'a value'})`);
    }
    for (const [key, value] of Object.entries(input)) {
      const field = fields[key];
      if (field) {
        if (value !== undefined) field(value, join(path, key), report);
      } else if (!options.ignore?.includes(key)) {
        report(join(path, key), unknownKey(key, known, options.insteadOf));
      }
    }
  });

/** The first alternative that fits; otherwise the problems of the one the value resembles most. */
export const union = (describe: string, pick: (value: unknown) => Shape | null): Shape =>
  shape(describe, (value, path, report) => {
    const chosen = pick(value);
    if (chosen === null) report(path, expected(describe, value));
    else chosen(value, path, report);
  });

export function unknownKey(key: string, known: string[], insteadOf: Record<string, string> = {}): string {
  const instead = Object.entries(insteadOf).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  if (instead) return `unknown key "${key}"; write ${instead}`;
  const near = suggestion(key, known);
  return `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''} (known: ${known.join(', ')})`;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `tables.users` + `email` = `tables.users.email`; keys that are not identifiers are quoted. */
export const join = (path: string, key: string): string => {
  const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? part : `${path}.${part}`;
};
