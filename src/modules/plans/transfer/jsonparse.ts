import { type Problem, problem, shown } from './problems.js';

/**
 * A strict JSON parser (RFC 8259) that remembers where every value and member name stands, so a
 * schema error can name its line. JSON.parse only says where the syntax breaks, and only in
 * English; this one says what it expected, through message keys.
 */
interface Place {
  line: number;
  column: number;
}
export interface JsonMember extends Place {
  name: string;
  value: JsonNode;
}
export type JsonNode =
  | (Place & { type: 'object'; members: JsonMember[] })
  | (Place & { type: 'array'; items: JsonNode[] })
  | (Place & { type: 'string'; value: string })
  | (Place & { type: 'number'; value: number })
  | (Place & { type: 'boolean'; value: boolean })
  | (Place & { type: 'null' });
export type JsonObject = Extract<JsonNode, { type: 'object' }>;

export type JsonParseResult = { ok: true; root: JsonNode; problems: Problem[] } | { ok: false; problem: Problem };

const MAX_DEPTH = 64;

class SyntaxFailure {
  constructor(readonly problem: Problem) {}
}

const EXPECT = 'plans.transfer.expect.';

export function parseJson(text: string): JsonParseResult {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const problems: Problem[] = [];

  const column = (at = i) => at - lineStart + 1;
  const fail = (key: string, params: Record<string, string | number> = {}, at = i, atLine = line, atLineStart = lineStart): never => {
    throw new SyntaxFailure(problem(atLine, key, params, at - atLineStart + 1));
  };
  const charName = (at: number) => {
    const cp = text.codePointAt(at) ?? 0;
    return cp < 0x20 || cp === 0x7f ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : String.fromCodePoint(cp);
  };
  const unexpected = (expected: string): never => {
    if (i >= text.length) return fail('plans.transfer.problem.json.unexpectedEnd', { expectedKey: EXPECT + expected });
    const c = text[i] as string;
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return fail('plans.transfer.problem.json.comment');
    if (/[A-Za-z_]/.test(c)) {
      const word = /[A-Za-z_][\w-]*/y;
      word.lastIndex = i;
      const found = word.exec(text)?.[0] ?? c;
      return fail('plans.transfer.problem.json.unexpectedWord', { word: shown(found, 30), expectedKey: EXPECT + expected });
    }
    return fail('plans.transfer.problem.json.unexpectedChar', { char: charName(i), expectedKey: EXPECT + expected });
  };

  const skipWhitespace = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) i++;
      else if (c === 0x0a) {
        i++;
        line++;
        lineStart = i;
      } else return;
    }
  };

  const parseString = (): string => {
    const startLine = line;
    const startLineStart = lineStart;
    const start = i;
    i++; // opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= text.length) {
        return fail('plans.transfer.problem.json.unterminatedString', {}, start, startLine, startLineStart);
      }
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(run, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          return fail('plans.transfer.problem.json.badEscape', { sequence: shown(text.slice(i, i + (e === 'u' ? 6 : 2)), 8) });
        }
        run = i;
        continue;
      }
      if (c === 0x0a) {
        // A line break inside a string almost always means the closing quote is missing.
        return fail('plans.transfer.problem.json.unterminatedString', {}, start, startLine, startLineStart);
      }
      if (c < 0x20) return fail('plans.transfer.problem.json.controlChar', { char: charName(i) });
      i++;
    }
  };

  const parseValue = (depth: number): JsonNode => {
    skipWhitespace();
    const at = { line, column: column() };
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) fail('plans.transfer.problem.json.tooDeep', { max: MAX_DEPTH });
      return c === '{' ? parseObject(depth + 1, at) : parseArray(depth + 1, at);
    }
    if (c === '"') return { type: 'string', value: parseString(), ...at };
    if (c === "'") return fail('plans.transfer.problem.json.singleQuote');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const token = /[-+0-9.eE]+/y;
      token.lastIndex = i;
      const found = token.exec(text)?.[0] ?? '';
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(found)) fail('plans.transfer.problem.json.badNumber', { text: shown(found, 30) });
      i += found.length;
      return { type: 'number', value: Number(found), ...at };
    }
    for (const [word, node] of [
      ['true', { type: 'boolean', value: true }],
      ['false', { type: 'boolean', value: false }],
      ['null', { type: 'null' }],
    ] as const) {
      if (text.startsWith(word, i) && !/[\w]/.test(text[i + word.length] ?? '')) {
        i += word.length;
        return { ...node, ...at } as JsonNode;
      }
    }
    return unexpected('value');
  };

  const parseObject = (depth: number, at: Place): JsonNode => {
    i++;
    const members: JsonMember[] = [];
    const seen = new Map<string, number>();
    skipWhitespace();
    if (text[i] === '}') {
      i++;
      return { type: 'object', members, ...at };
    }
    for (;;) {
      skipWhitespace();
      const nameAt = { line, column: column() };
      if (text[i] === "'") fail('plans.transfer.problem.json.singleQuote');
      if (text[i] === '}' && members.length > 0) fail('plans.transfer.problem.json.trailingComma', { char: '}' });
      if (text[i] !== '"') {
        if (/[A-Za-z_]/.test(text[i] ?? '')) fail('plans.transfer.problem.json.unquotedName');
        unexpected('memberName');
      }
      const name = parseString();
      skipWhitespace();
      if (text[i] !== ':') unexpected('colon');
      i++;
      const value = parseValue(depth);
      const first = seen.get(name);
      if (first !== undefined) {
        problems.push(problem(nameAt.line, 'plans.transfer.problem.json.duplicateMember', { name: shown(name, 40), first }, nameAt.column));
      } else seen.set(name, nameAt.line);
      members.push({ name, value, ...nameAt });
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return { type: 'object', members, ...at };
      }
      unexpected('commaOrCloseObject');
    }
  };

  const parseArray = (depth: number, at: Place): JsonNode => {
    i++;
    const items: JsonNode[] = [];
    skipWhitespace();
    if (text[i] === ']') {
      i++;
      return { type: 'array', items, ...at };
    }
    for (;;) {
      skipWhitespace();
      if (text[i] === ']' && items.length > 0) fail('plans.transfer.problem.json.trailingComma', { char: ']' });
      items.push(parseValue(depth));
      skipWhitespace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return { type: 'array', items, ...at };
      }
      unexpected('commaOrCloseArray');
    }
  };

  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    const root = parseValue(0);
    skipWhitespace();
    if (i < text.length) unexpected('end');
    return { ok: true, root, problems };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { ok: false, problem: error.problem };
    throw error;
  }
}
