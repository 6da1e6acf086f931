import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadMonitorConfig, MonitorConfigError, resolveMonitorConfig } from './monitor-config.js';

describe('monitor configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monitor-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with nothing configured probes the emulator with the defaults', async () => {
    const config = await loadMonitorConfig({ env: {} });
    expect(config.target).toBe('emulator');
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(9464);
    expect(config.intervalMs).toBe(DEFAULT_CONFIG.intervalMs);
    expect(config.models.length).toBeGreaterThan(0);
    expect(config.probes).toEqual(DEFAULT_CONFIG.probes);
  });

  it('reads a file, then lets the environment win', async () => {
    const file = join(dir, 'monitor.json');
    await writeFile(
      file,
      JSON.stringify({
        intervalMs: 5000,
        port: 9000,
        models: [{ modelId: 'amazon.nova-lite-v1:0', operations: ['converse'] }, 'anthropic.claude-3-haiku'],
        probes: [{ name: 'p', prompt: 'hi', maxTokens: 8 }],
      }),
    );
    const config = await loadMonitorConfig({
      env: { LLMETER_MONITOR_CONFIG: file, LLMETER_MONITOR_PORT: '9100', AWS_REGION: 'eu-west-1' },
    });
    expect(config.target).toBe('bedrock');
    expect(config.intervalMs).toBe(5000);
    expect(config.port).toBe(9100);
    expect(config.region).toBe('eu-west-1');
    expect(config.models).toEqual([
      { modelId: 'amazon.nova-lite-v1:0', operations: ['converse'] },
      { modelId: 'anthropic.claude-3-haiku', operations: ['converse-stream'] },
    ]);
    const fromEnv = resolveMonitorConfig(
      {},
      { LLMETER_MONITOR_MODELS: 'a:0, b', LLMETER_MONITOR_OPERATIONS: 'converse,converse-stream' },
    );
    expect(fromEnv.models).toEqual([
      { modelId: 'a:0', operations: ['converse', 'converse-stream'] },
      { modelId: 'b', operations: ['converse', 'converse-stream'] },
    ]);
  });

  it.each([
    [
      {},
      { LLMETER_MONITOR_INTERVAL_MS: 'soon' },
      /intervalMs \(from LLMETER_MONITOR_INTERVAL_MS\) must be an integer >= 10, got "soon"/,
    ],
    [{ port: 70000 }, {}, /port \(in the config\) must be an integer from 0 to 65535, got 70000/],
    [{ intervalMs: 1 }, {}, /intervalMs .* must be an integer >= 10/],
    [{ modells: [] }, {}, /unknown config key "modells"/],
    [
      { models: [{ modelId: 'x', operations: ['invoke'] }] },
      {},
      /models\[0\]\.operations\[0\] .* must be "converse" or "converse-stream", got "invoke"/,
    ],
    [{ models: [] }, {}, /models .* must be a non-empty list/],
    [{ target: 'bedrock' }, {}, /models .* must name at least one Bedrock model id/],
    [{ probes: [{ name: 'x' }] }, {}, /probes\[0\] .* given exactly one of prompt and payload/],
    [{ probes: [{ name: 'x', payload: { text: 'hi' } }] }, {}, /probes\[0\]\.payload .* Converse request/],
    [{ endpointUrl: 'not a url' }, {}, /endpointUrl .* must be an absolute URL/],
    [{ emulator: { profil: {} } }, {}, /emulator\.profil/],
    [
      {},
      { LLMETER_MONITOR_FINE_BUCKETS: 'maybe' },
      /fineBuckets \(from LLMETER_MONITOR_FINE_BUCKETS\) must be true or false/,
    ],
  ])('rejects %j %j with a message naming the field', (file, env, message) => {
    let caught: unknown;
    try {
      resolveMonitorConfig(file as Record<string, unknown>, env as Record<string, string>);
    } catch (error) {
      caught = error;
    }
    expect(MonitorConfigError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('names the file in its errors', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ timeoutMs: -1 }));
    await expect(loadMonitorConfig({ file, env: {} })).rejects.toThrow(
      `timeoutMs (in ${file}) must be an integer >= 1, got -1`,
    );
    await writeFile(file, '{ nope');
    await expect(loadMonitorConfig({ file, env: {} })).rejects.toThrow(/is not valid JSON/);
    // a syntax error is located by line and column (a trailing comma on line 3)
    await writeFile(file, '{\n  "port": 0,\n  "intervalMs": 100,\n}\n');
    await expect(loadMonitorConfig({ file, env: {} })).rejects.toThrow(
      `config file ${file} is not valid JSON at line 4, column 1`,
    );
    await expect(loadMonitorConfig({ file: join(dir, 'missing.json'), env: {} })).rejects.toThrow(
      /cannot read config file/,
    );
  });
});
