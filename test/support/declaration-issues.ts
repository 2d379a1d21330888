import { DeclarationError } from '../../src/declaration/declaration-error.js';

/** The `path: message` lines of the declaration error `work` throws; none when it declares cleanly. */
export function declarationIssues(work: () => unknown): string[] {
  try {
    work();
    return [];
  } catch (error) {
    if (!(error instanceof DeclarationError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
}
