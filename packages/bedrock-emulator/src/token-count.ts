/** Characters per token, the usual rule of thumb for English text. */
const CHARS_PER_TOKEN = 4;

function countChars(value: unknown, depth: number): number {
  if (depth > 64) return 0;
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) n += countChars(v, depth + 1);
    return n;
  }
  if (value && typeof value === 'object') {
    let n = 0;
    for (const [k, v] of Object.entries(value)) if (k !== 'role') n += countChars(v, depth + 1);
    return n;
  }
  return 0;
}

/**
 * Input tokens of a Converse request: every string in `messages` (but the roles), `system` and `toolConfig` (text,
 * tool inputs and results, names), about four characters a token, at least 1.
 */
export function countInputTokens(body: Record<string, unknown>): number {
  const chars = countChars(body['messages'], 0) + countChars(body['system'], 0) + countChars(body['toolConfig'], 0);
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore ' +
  'magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo ' +
  'consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint ' +
  'occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum'
).split(' ');

/** `count` filler words starting at word `start` (one word is one output token), space-separated. */
export function fillerText(start: number, count: number, leadingSpace: boolean): string {
  let s = '';
  for (let i = 0; i < count; i++) {
    if (i > 0 || leadingSpace) s += ' ';
    s += WORDS[(start + i) % WORDS.length];
  }
  return s;
}
