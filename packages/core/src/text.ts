/**
 * Text PostgreSQL cannot store: a NUL character (text columns refuse it) or an unpaired
 * UTF-16 surrogate (JSON columns refuse its escape, and it has no UTF-8 form). Both front
 * doors refuse such strings where they come in, so none reaches the database.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** A value of the caller's as a refusal shows it: never more than a line of it. */
export function clipped(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

// eslint-disable-next-line no-control-regex -- shown in place of NUL and lone surrogates
const shown = (key: string) => clipped(key).replace(/[\u0000\ud800-\udfff]/g, '\ufffd');

/**
 * How deep input may nest. Docker's create body goes five levels deep; input far deeper is
 * refused before code that walks it recursively can run out of stack.
 */
export const MAX_INPUT_DEPTH = 100;

/** What is wrong with a request's input, and where (`Labels.key`, `Env.2`). */
export interface InputFault {
  path: string;
  /** Says what is wrong, following the path: "Env.2 holds a NUL character…". */
  problem: string;
}

type Frame = { item: unknown; path: string; depth: number } | { leaving: object };

/**
 * The first thing in `value` no front door takes: text that cannot be stored (object keys
 * included), nesting deeper than MAX_INPUT_DEPTH, or an object inside itself (superjson's
 * references can build one, and walking it never ended). Undefined when there is none.
 * Walks without recursion, and an object met twice (a shared reference) only once.
 */
export function inputFault(value: unknown): InputFault | undefined {
  const inside = new Set<object>();
  const walked = new Set<object>();
  const pending: Frame[] = [{ item: value, path: '', depth: 0 }];
  for (let frame = pending.pop(); frame; frame = pending.pop()) {
    if ('leaving' in frame) {
      inside.delete(frame.leaving);
      continue;
    }
    const { item, depth } = frame;
    const path = frame.path || '(value)';
    if (typeof item === 'string') {
      if (!isStorableText(item)) return { path, problem: UNSTORABLE_TEXT_MESSAGE };
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    if (inside.has(item)) return { path, problem: 'holds the value it is part of' };
    if (walked.has(item)) continue;
    if (depth >= MAX_INPUT_DEPTH)
      return { path, problem: `nests deeper than ${MAX_INPUT_DEPTH} levels` };
    walked.add(item);
    inside.add(item);
    // Popped once every child has been walked.
    pending.push({ leaving: item });
    const entries = Array.isArray(item) ? [...item.entries()] : Object.entries(item);
    for (const [key, child] of entries.reverse()) {
      const at = frame.path ? `${frame.path}.${shown(String(key))}` : shown(String(key));
      if (typeof key === 'string' && !isStorableText(key))
        return { path: at, problem: UNSTORABLE_TEXT_MESSAGE };
      pending.push({ item: child, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

export const UNSTORABLE_TEXT_MESSAGE = 'holds a NUL character or an unpaired UTF-16 surrogate';
