import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * A regression guard for every workspace package's manifest (STYLE.md, "Packages"): ESM only, no side effects,
 * an exports map with `types` first, engines.node, and `files` limited to what ships.
 */
const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const manifests = readdirSync(packagesDir)
  .map((name) => join(packagesDir, name, 'package.json'))
  .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());

type Manifest = {
  name?: string;
  type?: string;
  sideEffects?: unknown;
  exports?: Record<string, unknown>;
  engines?: { node?: string };
  files?: unknown;
  bin?: Record<string, string>;
};

/** The lowest Node version a `>=X.Y[.Z]` range admits, as [major, minor]; undefined for other ranges. */
function minimumNode(range: string | undefined): [number, number] | undefined {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(range?.trim() ?? '');
  return m ? [Number(m[1]), Number(m[2] ?? 0)] : undefined;
}

it('finds the workspace packages', () => {
  expect(manifests.length).toBeGreaterThanOrEqual(6);
});

describe.each(manifests.map((path) => [path.slice(packagesDir.length), path] as const))('%s', (_name, path) => {
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;

  it('is an ESM @llmeter package without side effects', () => {
    expect(manifest.name).toMatch(/^@llmeter\//);
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
  });

  it('has an exports map whose conditions put types first', () => {
    expect(manifest.exports).toBeTypeOf('object');
    const root = manifest.exports?.['.'] as Record<string, string> | undefined;
    expect(root, 'exports["."]').toBeTypeOf('object');
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target === 'string') continue; // e.g. "./package.json"
      const conditions = Object.keys(target as Record<string, unknown>);
      expect(conditions[0], `exports["${subpath}"]`).toBe('types');
      const t = target as Record<string, string>;
      expect(t['types'], `exports["${subpath}"].types`).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(t['import'] ?? t['default'], `exports["${subpath}"].import`).toMatch(/^\.\/dist\/.*\.js$/);
    }
  });

  it('requires Node >= 20.19', () => {
    const min = minimumNode(manifest.engines?.node);
    expect(min, `engines.node ${JSON.stringify(manifest.engines?.node)}`).toBeDefined();
    const [major, minor] = min as [number, number];
    expect(major > 20 || (major === 20 && minor >= 19), `engines.node ${manifest.engines?.node}`).toBe(true);
  });

  it('ships only what it lists in files, dist included, and every bin from dist', () => {
    expect(Array.isArray(manifest.files)).toBe(true);
    const files = manifest.files as string[];
    expect(files).toContain('dist');
    expect(files).not.toContain('src');
    for (const [bin, target] of Object.entries(manifest.bin ?? {})) expect(target, `bin ${bin}`).toMatch(/^\.\/dist\//);
  });
});
