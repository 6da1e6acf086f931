// Summarizes a V8 .cpuprofile by self time: per package (node_modules name or our package) and top functions.
// Usage: node bench/runner-profile-summary.mjs <file.cpuprofile> [top=15]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
prof.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (url) => {
  if (!url) return '(native/idle/gc)';
  const m = url.match(/node_modules\/\.pnpm\/([^/]+)\//) ?? url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) return m[1].replace(/@\d[^_]*.*$/, '').replace(/\+/g, '/');
  const ours = url.match(/packages\/([^/]+)\//);
  if (ours) return `@llmeter/${ours[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url.replace(/^file:\/\//, '');
};
const pkg = new Map();
const fn = new Map();
for (const [id, t] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const p =
    cf.functionName === '(idle)' ? '(idle)' : cf.functionName === '(garbage collector)' ? '(gc)' : where(cf.url);
  pkg.set(p, (pkg.get(p) ?? 0) + t);
  const key = `${cf.functionName || '(anonymous)'} ${p}`;
  fn.set(key, (fn.get(key) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / total).toFixed(1)}%`;
console.log(`total sampled ${(total / 1e6).toFixed(2)} s`);
for (const [k, t] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(t).padStart(6)}  ${k}`);
console.log('top functions (self time):');
for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 15)))
  console.log(`  ${pct(t).padStart(6)}  ${k}`);
