import type { Tiktoken } from 'js-tiktoken/lite';

/** A tokenizer: counts tokens and cuts text to a token length. */
export interface Tokenizer {
  /** Its name (written to `run_config.json`). */
  readonly name: string;
  encode(text: string): number[];
  decode(tokens: number[]): string;
}

let cached: Promise<Tokenizer> | undefined;

/**
 * The `cl100k_base` BPE tokenizer of `js-tiktoken`, whose ranks ship inside that package (nothing is
 * downloaded). Loaded on first use (the ranks are ~1 MB), then shared. Its counts approximate, not equal,
 * those of a given model's own tokenizer; the endpoint's reported `num_tokens_input` is the truth.
 */
export function defaultTokenizer(): Promise<Tokenizer> {
  cached ??= (async () => {
    const [{ Tiktoken }, ranks] = await Promise.all([
      import('js-tiktoken/lite'),
      import('js-tiktoken/ranks/cl100k_base'),
    ]);
    const enc: Tiktoken = new Tiktoken(ranks.default);
    return { name: 'cl100k_base', encode: (t: string) => enc.encode(t), decode: (x: number[]) => enc.decode(x) };
  })();
  return cached;
}

/** The first `n` tokens of `text` (all of it when shorter). */
export function truncateToTokens(tokenizer: Tokenizer, text: string, n: number): string {
  return tokenizer.decode(tokenizer.encode(text).slice(0, n));
}
