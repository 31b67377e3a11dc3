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

// eslint-disable-next-line no-control-regex -- shown in place of NUL and lone surrogates
const shown = (key: string) => key.replace(/[\u0000\ud800-\udfff]/g, '\ufffd');

/**
 * The path (`Labels.key`, `Env.2`) of the first string in `value`, object keys included,
 * that cannot be stored; undefined when every string can. Walks without recursion, so a
 * deeply nested body cannot exhaust the stack.
 */
export function unstorableTextPath(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return path || '(value)';
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    const entries = Array.isArray(item) ? [...item.entries()] : Object.entries(item);
    for (const [key, child] of entries.reverse()) {
      const at = path ? `${path}.${shown(String(key))}` : shown(String(key));
      if (typeof key === 'string' && !isStorableText(key)) return at;
      pending.push([child, at]);
    }
  }
  return undefined;
}

export const UNSTORABLE_TEXT_MESSAGE = 'holds a NUL character or an unpaired UTF-16 surrogate';
