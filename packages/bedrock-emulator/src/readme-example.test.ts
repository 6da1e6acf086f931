import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GroundTruth } from './types.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

describe('the README example', () => {
  const file = fileURLToPath(new URL(`./test-support/readme-example-${process.pid}.tmp.ts`, import.meta.url));
  afterEach(() => rmSync(file, { force: true }));

  it('is about ten lines, streams through the real SDK and prints the ground truth', async () => {
    const code = /## Example\n+```ts\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
    expect(code, 'a ```ts block under "## Example"').toBeTruthy();
    const body = (code as string).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('import '));
    expect(body.length).toBeLessThanOrEqual(10);
    writeFileSync(file, code as string);
    let written = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    const logged: unknown[][] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    expect(written.split(' ')).toHaveLength(30);
    const truth = logged[0]?.[0] as GroundTruth;
    expect(truth).toMatchObject({ modelId: 'amazon.nova-micro-v1:0', operation: 'converse-stream', deltas: 30 });
    expect((truth.firstTextDeltaAt as number) - truth.receivedAt).toBeGreaterThanOrEqual(199);
    expect(truth.lastByteAt as number).toBeGreaterThanOrEqual(truth.firstTextDeltaAt as number);
  });
});
