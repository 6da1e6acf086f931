// Summarizes a V8 CPU profile (`node --cpu-prof`): self time by function, idle excluded.
// Usage: node bench/transport-profile-summary.mjs FILE.cpuprofile [TOP=25]
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfByNode = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const selfByFn = new Map();
let busy = 0;
for (const [id, us] of selfByNode) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const name = functionName || '(anonymous)';
  if (name === '(idle)') continue;
  const key = `${name} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  selfByFn.set(key, (selfByFn.get(key) ?? 0) + us);
  busy += us;
}
console.log(`busy ${(busy / 1000).toFixed(0)} ms`);
for (const [key, us] of [...selfByFn].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${((us / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

// The same time grouped by where the code lives.
const groups = [
  ['kernel socket writes (writev)', (k) => k.startsWith('writev ')],
  ['garbage collector', (k) => k.startsWith('(garbage collector)')],
  [
    'AWS SDK (@smithy/*, @aws-sdk/*)',
    (k) =>
      /(protocols|event-streams|schema|client|retry|endpoints|serde|dist-cjs|middleware)\//.test(k) &&
      !k.includes('lean/'),
  ],
  ['@llmeter/bedrock lean transport', (k) => k.includes('lean/')],
  ['@llmeter/bedrock endpoints + @llmeter/core', (k) => / dist\//.test(k)],
  ['node:http / net / streams / crypto / timers', (k) => /node:|streams\/|crypto\/|internal\//.test(k)],
];
const byGroup = new Map(groups.map(([g]) => [g, 0]));
let other = 0;
for (const [key, us] of selfByFn) {
  const g = groups.find(([, test]) => test(key));
  if (g) byGroup.set(g[0], byGroup.get(g[0]) + us);
  else other += us;
}
console.log('\nby area:');
for (const [g, us] of [...byGroup, ['other (microtasks, program, bench code)', other]]) {
  console.log(`${((us / busy) * 100).toFixed(1).padStart(5)}%  ${g}`);
}
