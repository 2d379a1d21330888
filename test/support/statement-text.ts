import type { Statement } from '../../src/model/locks.js';

type Texts<R> = R extends Statement ? string : R extends Statement[] ? string[] : R;

/** The same SQL methods returning statements' text alone, for tests that compare SQL. */
export type TextOf<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Texts<R> : T[K] };

const text = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(text);
  return value !== null && typeof value === 'object' && 'sql' in value ? (value as Statement).sql : value;
};

export function statementText<T extends object>(sql: T): TextOf<T> {
  return Object.fromEntries(
    Object.entries(sql).map(([name, member]) => [name, typeof member === 'function' ? (...args: unknown[]) => text(member(...args)) : member]),
  ) as TextOf<T>;
}
