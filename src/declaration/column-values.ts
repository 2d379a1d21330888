/** A declared type and default, read the same way for a table's column and for a domain. */
import { type ColumnType, parseColumnType } from '../model/column-type.js';
import type { DefaultValue } from '../model/schema-model.js';
import type { ColumnInput } from './dsl-types.js';

type Report = (path: string, message: string) => void;

/** Returns null when the type is unusable; the issue is already reported. */
export function resolveType(type: ColumnInput['type'], path: string, report: Report): ColumnType | null {
  if (typeof type === 'string') {
    const parsed = parseColumnType(type);
    if ('error' in parsed) {
      report(path, parsed.error);
      return null;
    }
    return parsed;
  }
  // Release files may be plain JavaScript, so the shape is not guaranteed by the compiler.
  if (typeof type?.native !== 'string') {
    report(path, 'type must be a portable type name such as "varchar(255)", or native("...")');
    return null;
  }
  const sql = type.native.trim();
  if (sql === '') {
    report(path, 'native type must not be empty');
    return null;
  }
  return { kind: 'native', sql };
}

export function resolveDefault(value: ColumnInput['default'], path: string, report: Report): DefaultValue | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return { kind: 'literal', value };
  const expression = value.sql.trim();
  if (expression === '') {
    report(path, 'default sql("...") must not be empty');
    return null;
  }
  return { kind: 'sql', expression };
}

