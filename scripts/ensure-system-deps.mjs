#!/usr/bin/env node
// Installs the system programs the end-to-end tests drive (Prometheus, Chromium) when they are missing.
// Debian packages only; a machine without apt or root gets a clear message and the tests that need them fail loudly.
import { execFileSync, spawnSync } from 'node:child_process';

const wanted = [
  { bin: 'prometheus', pkgs: ['prometheus'] },
  { bin: 'promtool', pkgs: ['prometheus'] },
  { bin: 'chromium', pkgs: ['chromium'] },
];

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(wanted.filter((w) => !has(w.bin)).flatMap((w) => w.pkgs))];
if (missing.length === 0) process.exit(0);

if (!has('apt-get')) {
  console.warn(`ensure-system-deps: missing ${missing.join(', ')} and no apt-get to install them`);
  process.exit(0);
}
console.log(`ensure-system-deps: installing ${missing.join(', ')} from Debian`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
try {
  execFileSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], {
    stdio: 'inherit',
    env,
  });
  execFileSync(
    sudo[0] ?? 'apt-get',
    [
      ...sudo.slice(1),
      ...(sudo.length ? ['apt-get'] : []),
      'install',
      '-y',
      '-qq',
      '--no-install-recommends',
      ...missing,
    ],
    { stdio: 'inherit', env },
  );
} catch (err) {
  console.warn(`ensure-system-deps: could not install ${missing.join(', ')}: ${err.message}`);
}
