import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterEach, describe, expect, it } from 'vitest';
import { trackRequestTiming } from '../request-timing.js';
import { FAKE_CREDENTIALS } from '../test-support/emulator.js';
import { LeanBedrockClient } from './lean-bedrock-client.js';

// The lean client's HTTP layer (undici Pool#dispatch) against a plain node:http server that counts its connections.
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const messages = [{ role: 'user' as const, content: [{ text: 'Hello' }] }];
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const CONVERSE_BODY = JSON.stringify({
  output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  metrics: { latencyMs: 1 },
});

function frame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
const delta = (i: number) => frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: `t${i}` } });

interface TestServer {
  url: string;
  connections: number;
  open: Set<Socket>;
  maxOpen: number;
  /** The socket of each request received, in order. */
  requestSockets: Socket[];
  server: Server;
}

const isClosed = (socket: Socket | undefined) => socket?.destroyed === true;

const servers: TestServer[] = [];
const clients: LeanBedrockClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) {
    s.server.closeAllConnections();
    s.server.close();
    await once(s.server, 'close');
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer((req, res) => {
    t.requestSockets.push(req.socket);
    req.resume();
    req.once('end', () => handler(req, res));
  });
  const t: TestServer = { url: '', connections: 0, open: new Set(), maxOpen: 0, requestSockets: [], server };
  server.on('connection', (socket: Socket) => {
    t.connections++;
    t.open.add(socket);
    t.maxOpen = Math.max(t.maxOpen, t.open.size);
    socket.once('close', () => t.open.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push(t);
  return t;
}

function client(url: string, maxSockets?: number): LeanBedrockClient {
  const c = new LeanBedrockClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
    ...(maxSockets ? { maxSockets } : {}),
  });
  clients.push(c);
  return c;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function converseJson(res: ServerResponse, delayMs = 0): void {
  setTimeout(() => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(CONVERSE_BODY),
      'x-amzn-requestid': 'req-1',
    });
    res.end(CONVERSE_BODY);
  }, delayMs);
}

describe('LeanBedrockClient HTTP layer', () => {
  it('reuses keep-alive connections for sequential requests and reads headers (duplicates joined)', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('x-amz-cf-id', ['a', 'b']);
      converseJson(res);
    });
    const c = client(s.url);
    for (let i = 0; i < 6; i++) {
      const out = await c.send(new ConverseCommand({ modelId: MODEL, messages }));
      expect(out.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1', cfId: 'a, b' });
      expect(out.stopReason).toBe('end_turn');
    }
    // undici's Pool may open a second socket when the next request comes before the first socket reports itself
    // free (its 'drain'); after that, sockets are reused.
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it('opens at most maxSockets connections and queues the rest', async () => {
    const s = await serve((_req, res) => converseJson(res, 30));
    const c = client(s.url, 2);
    const outs = await Promise.all(
      Array.from({ length: 6 }, () => c.send(new ConverseCommand({ modelId: MODEL, messages }))),
    );
    expect(outs.every((o) => o.stopReason === 'end_turn')).toBe(true);
    expect(s.maxOpen).toBe(2);
    expect(s.connections).toBe(2);
  });

  it('decodes a chunked event stream split at any byte, with back-pressure for a slow reader', async () => {
    const frames = [frame('messageStart', { role: 'assistant' })];
    for (let i = 0; i < 300; i++) frames.push(delta(i));
    frames.push(frame('messageStop', { stopReason: 'end_turn' }));
    const bytes = Buffer.concat(frames);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      // Pieces of 7 bytes then the rest at once: frames cross every boundary, and many arrive in one read.
      for (let p = 0; p < 700; p += 7) res.write(bytes.subarray(p, p + 7));
      res.end(bytes.subarray(700));
    });
    const out = await client(s.url).send(new ConverseStreamCommand({ modelId: MODEL, messages }));
    const texts: string[] = [];
    let last: Record<string, unknown> | undefined;
    for await (const event of out.stream ?? []) {
      const text = event.contentBlockDelta?.delta?.text;
      if (text !== undefined) texts.push(text);
      last = event as unknown as Record<string, unknown>;
      if (texts.length % 50 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    expect(texts).toEqual(Array.from({ length: 300 }, (_, i) => `t${i}`));
    expect(last).toEqual({ messageStop: { stopReason: 'end_turn' } });
  });

  it('an abort before the headers rejects with AbortError and closes the socket', async () => {
    const s = await serve(() => {
      // never answers
    });
    const c = client(s.url);
    const controller = new AbortController();
    const timing = trackRequestTiming(controller.signal);
    const call = c.send(new ConverseCommand({ modelId: MODEL, messages }), { abortSignal: controller.signal });
    await waitFor(() => s.connections === 1 && timing.requestSentAt !== null, 'the request');
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError', message: 'Request aborted' });
    expect(timing.responseHeadersAt).toBeNull();
    await waitFor(() => isClosed(s.requestSockets[0]), 'the socket to close');
  });

  it('an abort mid-stream fails the stream as Node http does ("aborted", ECONNRESET) and closes the socket', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(delta(0));
    });
    const c = client(s.url);
    const controller = new AbortController();
    const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages }), {
      abortSignal: controller.signal,
    });
    const it = (out.stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveProperty('contentBlockDelta');
    controller.abort();
    await expect(it.next()).rejects.toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
    await waitFor(() => isClosed(s.requestSockets[0]), 'the socket to close');
  });

  it('a reader that stops early closes the socket; the pool opens a new one', async () => {
    const s = await serve((req, res) => {
      if (req.url?.endsWith('/converse')) return converseJson(res);
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(delta(0));
      res.write(delta(1));
    });
    const c = client(s.url);
    const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages }));
    for await (const _ of out.stream ?? []) break;
    await waitFor(() => isClosed(s.requestSockets[0]), 'the socket to close');
    expect((await c.send(new ConverseCommand({ modelId: MODEL, messages }))).stopReason).toBe('end_turn');
    expect(s.requestSockets).toHaveLength(2);
    expect(s.requestSockets[1]).not.toBe(s.requestSockets[0]);
  });

  it('maps a connection reset before the headers to "socket hang up" and after them to "aborted" (ECONNRESET)', async () => {
    const s = await serve((req, res) => {
      if (req.url?.endsWith('/converse')) return res.socket?.destroy();
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(delta(0), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const c = client(s.url);
    await expect(c.send(new ConverseCommand({ modelId: MODEL, messages }))).rejects.toMatchObject({
      message: 'socket hang up',
      code: 'ECONNRESET',
      $metadata: { attempts: 1 },
    });
    const out = await c.send(new ConverseStreamCommand({ modelId: MODEL, messages }));
    const events: unknown[] = [];
    await expect(
      (async () => {
        for await (const e of out.stream ?? []) events.push(e);
      })(),
    ).rejects.toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
    expect(events).toHaveLength(1);
  });

  it('passes a refused connection through as Node reports it (ECONNREFUSED)', async () => {
    const s = await serve(() => {});
    const url = s.url;
    s.server.close();
    await once(s.server, 'close');
    servers.length = 0;
    await expect(client(url).send(new ConverseCommand({ modelId: MODEL, messages }))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('destroy() closes the sockets and the client stays usable on new ones', async () => {
    const s = await serve((_req, res) => converseJson(res));
    const c = client(s.url);
    await c.send(new ConverseCommand({ modelId: MODEL, messages }));
    c.destroy();
    await waitFor(() => isClosed(s.requestSockets[0]), 'the socket to close');
    expect((await c.send(new ConverseCommand({ modelId: MODEL, messages }))).stopReason).toBe('end_turn');
    expect(s.requestSockets[1]).not.toBe(s.requestSockets[0]);
  });

  it('rejects a bad maxSockets at construction', () => {
    for (const maxSockets of [0, 1.5, -1]) {
      expect(() => new LeanBedrockClient({ region: 'us-east-1', maxSockets })).toThrow(/maxSockets must be/);
    }
  });
});
