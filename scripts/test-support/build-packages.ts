import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

/** Every workspace package folder (relative to the root) by package name. */
function workspacePackages(): Map<string, string> {
  const byName = new Map<string, string>();
  for (const group of ['packages', 'apps']) {
    const root = join(REPO_ROOT, group);
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      const manifest = join(root, entry.name, 'package.json');
      if (entry.isDirectory() && existsSync(manifest)) {
        byName.set((JSON.parse(readFileSync(manifest, 'utf8')) as Manifest).name, `${group}/${entry.name}`);
      }
    }
  }
  return byName;
}

/** The folder and its workspace runtime dependencies, dependencies first. */
function buildOrder(dir: string, byName: Map<string, string>, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Manifest;
  const order: string[] = [];
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    const depDir = byName.get(dep);
    if (depDir) order.push(...buildOrder(depDir, byName, seen));
  }
  order.push(dir);
  return order;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__' && entry.name !== 'test-support') newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds a workspace package and the workspace packages it loads at runtime (`tsc -p tsconfig.build.json`,
 * dependencies first), so tests can spawn the binaries users run. A package is rebuilt when its dist/ is missing or
 * older than a source file, or when a dependency was rebuilt. For vitest `globalSetup` files.
 *
 * @param dir the package folder relative to the repository root, e.g. `packages/cli`
 * @param label names the tests in warnings
 */
export function buildWithDependencies(dir: string, label = dir): void {
  const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  let stale = false;
  for (const pkg of buildOrder(dir, workspacePackages())) {
    const folder = join(REPO_ROOT, pkg);
    const built = join(folder, 'dist/index.js');
    stale ||= !existsSync(built) || statSync(built).mtimeMs < newestSource(join(folder, 'src'));
    if (!stale) continue;
    try {
      execFileSync(process.execPath, [tsc, '-p', join(folder, 'tsconfig.build.json')], { stdio: 'pipe' });
    } catch (error) {
      // tsc still emits on type errors (a package may be mid-change): go on when its dist/ exists.
      if (!existsSync(built)) throw error;
      const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
      console.warn(`${label} tests: building ${pkg} reported errors; using the emitted dist/\n${out.slice(0, 2000)}`);
    }
  }
}
