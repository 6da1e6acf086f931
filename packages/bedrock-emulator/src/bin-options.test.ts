import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBinArgs } from './bin-options.js';

const dir = mkdtempSync(join(tmpdir(), 'llmeter-emulator-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('llmeter-bedrock-emulator arguments', () => {
  it('reads host, port, seed, a profile file, a fault-rule file and a recordings folder', () => {
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ ttftMs: 50, outputTokens: 10 }));
    const faults = join(dir, 'faults.json');
    writeFileSync(faults, JSON.stringify([{ rate: 0.1, fault: { kind: 'http', status: 429 } }]));
    const recordings = fileURLToPath(new URL('./__fixtures__/bedrock/', import.meta.url));
    const options = parseBinArgs([
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--seed',
      '9',
      '--profile',
      profile,
      '--faults',
      faults,
      '--recordings',
      recordings,
    ]);
    expect(options).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      seed: 9,
      profile: { ttftMs: 50, outputTokens: 10 },
      faults: [{ rate: 0.1, fault: { kind: 'http', status: 429 } }],
    });
    expect(Object.keys((options as { recordings: object }).recordings)).toContain('amazon-bedrock-text');
    expect(parseBinArgs(['--help'])).toBe('help');
    expect(parseBinArgs([])).toEqual({});
  });

  it('says what is wrong with a bad argument', () => {
    expect(() => parseBinArgs(['--port', 'x'])).toThrow('--port must be a non-negative integer, got x');
    expect(() => parseBinArgs(['--profile', join(dir, 'missing.json')])).toThrow(/cannot read the profile from/);
    const notArray = join(dir, 'faults-object.json');
    writeFileSync(notArray, '{}');
    expect(() => parseBinArgs(['--faults', notArray])).toThrow('--faults must hold a JSON array of fault rules');
    expect(() => parseBinArgs(['--nope'])).toThrow(/Unknown option/);
    const badProfile = join(dir, 'typo-profile.json');
    writeFileSync(badProfile, JSON.stringify({ ttft: 5 }));
    expect(() => parseBinArgs(['--profile', badProfile])).toThrow(
      `${badProfile}: profile.ttft is not a LatencyProfile field`,
    );
    const badRule = join(dir, 'typo-faults.json');
    writeFileSync(badRule, JSON.stringify([{ fault: { kind: 'http', status: 418 } }]));
    expect(() => parseBinArgs(['--faults', badRule])).toThrow(`${badRule}: faults[0]: fault.status must be one of`);
  });
});
