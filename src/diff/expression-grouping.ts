import { endOfQuoted } from '../model/quoted-text.js';
import { castLength } from './printed-casts.js';

/**
 * How an expression groups, for the common subset of SQL both servers parse alike: literals,
 * names, function calls, unary and binary arithmetic, comparisons, IS [NOT] NULL, NOT, AND, OR.
 * Servers print expressions back fully parenthesized (`((a + b) * c) > 0`), people write the
 * fewest parentheses; the tree is what both mean, printed with every group explicit. Anything
 * outside the subset (IN, BETWEEN, CASE, LIKE, `||`, which MySQL reads as OR, ...) gives null:
 * the caller then compares without grouping rather than guess at another precedence table.
 */
export function expressionGrouping(expression: string): string | null {
  const tokens = tokenize(expression);
  if (tokens === null) return null;
  const parser = new Parser(tokens);
  try {
    const tree = parser.expression();
    return parser.done() ? tree : null;
  } catch (error) {
    if (error instanceof OutsideSubset) return null;
    throw error;
  }
}

class OutsideSubset extends Error {}

const WORD = /^[a-z_][a-z0-9_$]*/i;
const NUMBER = /^\d+(?:\.\d*)?(?:e[+-]?\d+)?|^\.\d+(?:e[+-]?\d+)?/i;
const OPERATOR = /^(?:<>|!=|<=|>=|[-+*/%=<>(),.])/;

/** Words, literals (verbatim), quoted names (unquoted, case kept), operators; casts dropped as in canonicalExpression. */
function tokenize(text: string): string[] | null {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      const end = endOfQuoted(text, i, "'");
      tokens.push(text.slice(i, end));
      i = end;
    } else if (ch === '"' || ch === '`') {
      const end = endOfQuoted(text, i, ch);
      tokens.push(`"${text.slice(i + 1, end - 1)}`);
      i = end;
    } else if (rest.startsWith('::')) {
      i += castLength(rest);
    } else {
      const match = NUMBER.exec(rest) ?? WORD.exec(rest) ?? OPERATOR.exec(rest);
      if (match === null) return null;
      tokens.push(/^[a-z_]/i.test(match[0]) ? match[0].toLowerCase() : match[0]);
      i += match[0].length;
    }
  }
  return tokens;
}

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
const RESERVED = new Set(['and', 'or', 'not', 'is', 'null', 'true', 'false', 'in', 'between', 'like', 'case', 'when', 'then', 'else', 'end', 'collate', 'escape', 'similar', 'ilike', 'regexp', 'rlike', 'div', 'mod', 'xor', 'any', 'all', 'some', 'exists', 'distinct', 'from', 'as', 'interval', 'array']);

/** Precedence climbing, lowest first: OR, AND, NOT, IS [NOT] NULL, comparison, + -, * / %, unary sign. */
class Parser {
  private at = 0;
  constructor(private readonly tokens: string[]) {}

  done = () => this.at === this.tokens.length;
  private peek = () => this.tokens[this.at];
  private take(): string {
    const token = this.tokens[this.at++];
    if (token === undefined) throw new OutsideSubset();
    return token;
  }
  private expect(token: string): void {
    if (this.take() !== token) throw new OutsideSubset();
  }

  expression = (): string => this.leftAssociative(['or'], () => this.leftAssociative(['and'], () => this.negation()));

  private leftAssociative(operators: string[], operand: () => string): string {
    let left = operand();
    while (operators.includes(this.peek() ?? '')) left = `(${left} ${this.take()} ${operand()})`;
    return left;
  }

  private negation(): string {
    if (this.peek() !== 'not') return this.nullTest();
    this.take();
    return `(not ${this.negation()})`;
  }

  private nullTest(): string {
    const operand = this.comparison();
    if (this.peek() !== 'is') return operand;
    this.take();
    const negated = this.peek() === 'not';
    if (negated) this.take();
    this.expect('null');
    return `(${operand} is ${negated ? 'not ' : ''}null)`;
  }

  private comparison(): string {
    const left = this.sum();
    if (!COMPARISONS.has(this.peek() ?? '')) return left;
    const written = this.take();
    const right = this.sum();
    // Chained comparisons group differently per server.
    if (COMPARISONS.has(this.peek() ?? '')) throw new OutsideSubset();
    return `(${left} ${written} ${right})`;
  }

  private sum = (): string => this.leftAssociative(['+', '-'], () => this.leftAssociative(['*', '/', '%'], () => this.signed()));

  private signed(): string {
    const sign = this.peek();
    if (sign !== '-' && sign !== '+') return this.primary();
    this.take();
    return `(${sign}${this.signed()})`;
  }

  private primary(): string {
    const token = this.take();
    if (token === '(') {
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (token.startsWith("'") || /^[\d.]/.test(token) || ['null', 'true', 'false'].includes(token)) {
      if (token === '.') throw new OutsideSubset();
      return token;
    }
    let name = this.name(token);
    while (this.peek() === '.') {
      this.take();
      name += `.${this.name(this.take())}`;
    }
    if (this.peek() !== '(') return name;
    this.take();
    const args: string[] = [];
    if (this.peek() !== ')') {
      args.push(this.expression());
      while (this.peek() === ',') {
        this.take();
        args.push(this.expression());
      }
    }
    this.expect(')');
    // MySQL prints CURRENT_TIMESTAMP for current_timestamp(): an empty argument list is no group.
    return args.length === 0 ? name : `${name}(${args.join(', ')})`;
  }

  /** A quoted name keeps its case and may be any word; an unquoted one is folded already. */
  private name(token: string): string {
    if (token.startsWith('"')) return token.slice(1);
    if (!WORD.test(token) || RESERVED.has(token)) throw new OutsideSubset();
    return token;
  }
}
