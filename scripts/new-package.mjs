// One-off generator for package manifests (kept for adding packages later).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const [dir, name, description, depsJson = '{}', devJson = '{}', extraJson = '{}'] = process.argv.slice(2);
mkdirSync(`${dir}/src`, { recursive: true });
const isApp = dir.startsWith('apps/');
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  ...(isApp ? { private: true } : {}),
  sideEffects: false,
  engines: { node: '>=20.19' },
  exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'README.md'],
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    typecheck: 'tsc -p tsconfig.json',
    test: 'vitest run',
    lint: 'biome check .',
  },
  dependencies: JSON.parse(depsJson),
  devDependencies: JSON.parse(devJson),
  ...JSON.parse(extraJson),
};
writeFileSync(`${dir}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(
  `${dir}/tsconfig.json`,
  `${JSON.stringify({ extends: '../../tsconfig.json', include: ['src'] }, null, 2)}\n`,
);
writeFileSync(
  `${dir}/tsconfig.build.json`,
  `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'], exclude: ['src/**/*.test.ts', 'src/**/__fixtures__', 'src/**/test-support'] }, null, 2)}\n`,
);
writeFileSync(
  `${dir}/vitest.config.ts`,
  `import { defineProject } from 'vitest/config';\nimport { sourceAliases } from '../../vitest.shared.js';\n\nexport default defineProject({\n  resolve: { alias: sourceAliases },\n  test: { name: '${name}', include: ['src/**/*.test.ts'] },\n});\n`,
);
if (!existsSync(`${dir}/src/index.ts`)) writeFileSync(`${dir}/src/index.ts`, 'export {};\n');
