import { describe, expect, it, vi } from 'vitest';
import { type EndpointFlags, openEndpoint } from './endpoint-options.js';

const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('openEndpoint', () => {
  it('closes the embedded emulator when the endpoint cannot be built (the command must not hang)', async () => {
    const before = servers();
    const flags: EndpointFlags = { endpoint: 'emulator', api: 'converse-stream', region: '' };
    await expect(openEndpoint(flags)).rejects.toThrow(/region must be a non-empty string/);
    // A closed server leaves the active handles asynchronously; one left listening never does.
    await vi.waitFor(() => expect(servers()).toBe(before), { timeout: 5000, interval: 50 });
  });

  it('starts the embedded emulator and closes it', async () => {
    const before = servers();
    const opened = await openEndpoint({ endpoint: 'emulator', api: 'converse' });
    expect(opened.description).toMatch(/^embedded emulator http:\/\/127\.0\.0\.1:\d+ \(converse\)$/);
    expect(servers()).toBe(before + 1);
    await opened.close();
    await vi.waitFor(() => expect(servers()).toBe(before), { timeout: 5000, interval: 50 });
  });
});
