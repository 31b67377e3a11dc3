import { MesosCodecError } from '../errors';

// JSON.parse turns every number into a double, which silently corrupts
// int64/uint64 values above 2^53 (TimeInfo.nanoseconds, for one). This small
// parser keeps number literals as text; the schema-driven decoder converts
// them once it knows the field type. The writer emits RawNumber verbatim.

export class RawNumber {
  constructor(readonly text: string) {}
}

export type JsonValue =
  null | boolean | string | RawNumber | JsonValue[] | { [key: string]: JsonValue };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

export function parseJson(text: string): JsonValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('unexpected trailing characters');
  return value;
}

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new MesosCodecError(`invalid JSON at offset ${this.pos}: ${message}`);
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  value(): JsonValue {
    this.skipWhitespace();
    const ch = this.text[this.pos];
    switch (ch) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private object(): { [key: string]: JsonValue } {
    // A null prototype keeps keys such as "__proto__" inert.
    const result = Object.create(null) as { [key: string]: JsonValue };
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      result[key] = this.value();
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return result;
      if (next !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return result;
      if (next !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const ch = this.text.charCodeAt(i);
      if (Number.isNaN(ch)) this.fail('unterminated string');
      if (ch === 0x22) break;
      i += ch === 0x5c ? 2 : 1;
    }
    this.pos = i + 1;
    try {
      // Escapes and validation are delegated to the built-in parser.
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch (cause) {
      throw new MesosCodecError(`invalid JSON string at offset ${start}`, { cause });
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token`);
    this.pos += word.length;
    return value;
  }

  private number(): RawNumber {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('unexpected token');
    this.pos = NUMBER.lastIndex;
    return new RawNumber(match[0]);
  }
}

export function stringifyJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(
      ([key, item]) => `${JSON.stringify(key)}:${stringifyJson(item)}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}
