import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const srcDir = new URL('./', import.meta.url);
const sources = async () => (await readdir(srcDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const valueImports = (text: string) =>
  [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] as string);

describe('import cost', () => {
  it('only @opentelemetry/api is imported at module load; the SDK and exporters are loaded lazily', async () => {
    for (const file of await sources()) {
      const text = await readFile(new URL(file, srcDir), 'utf8');
      for (const spec of valueImports(text)) {
        if (spec.startsWith('@opentelemetry/')) expect(spec, `${file} imports ${spec}`).toBe('@opentelemetry/api');
      }
    }
  });

  it('the CloudWatch EMF sink pulls no OpenTelemetry at all', async () => {
    const seen = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(new URL(file, srcDir), 'utf8');
      for (const spec of valueImports(text)) {
        expect(spec.startsWith('@opentelemetry/'), `${file} imports ${spec}`).toBe(false);
        if (spec.startsWith('./')) await visit(spec.slice(2).replace(/\.js$/, '.ts'));
      }
    };
    await visit('cloudwatch-emf-sink.ts');
    expect(seen.size).toBeGreaterThan(0);
  });
});
