// HTTP/1.1 client floors: what each HTTP layer costs per Converse request and per ConverseStream chunk before any
// signing or decoding, against the same emulator child as bench/transport-bench.mjs.
// Usage: node bench/http-floor-bench.mjs [--no-build] [--quick] [--only a,b] [--undici DIR] [--json out.json]
//   --undici DIR: where `undici` (v7) resolves from (default: packages/bedrock, where it is a dependency).
// Variants: node:http (keep-alive Agent, IncomingMessage 'data' events), undici 7 `Pool#dispatch` with a raw
// handler (onHeaders/onData callbacks, no streams), a raw `net.Socket` with a minimal HTTP/1.1 response parser
// written here for this one purpose (status line, headers, content-length and chunked bodies).
// Method as in transport-bench: closed loop, CPU of this process (`process.cpuUsage()`), streams of 20 and of
// 200 text deltas 1 ms apart, per chunk = slope between the two per event frame (180 frames more); Converse: 64 in flight, no server latency.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closedLoop, round, startEmulator } from './bench-support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    quick: { type: 'boolean' },
    only: { type: 'string' },
    undici: { type: 'string' },
    json: { type: 'string' },
  },
});
if (!args['no-build']) {
  for (const pkg of ['core', 'bedrock-emulator', 'bedrock']) {
    execFileSync('npx', ['tsc', '-p', `packages/${pkg}/tsconfig.build.json`], { cwd: root, stdio: 'inherit' });
  }
}
const requireUndici = createRequire(
  args.undici ? `${args.undici}/package.json` : `${root}packages/bedrock/package.json`,
);
const { Pool } = requireUndici('undici');
const undiciVersion = requireUndici('undici/package.json').version;

const QUICK = Boolean(args.quick);
const MODEL = encodeURIComponent('anthropic.claude-3-haiku-20240307-v1:0');
const BODY = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hello, how are you?' }] }] }));
const CONNECTIONS = 256;

// ---------------------------------------------------------------------------------------------------------------
// (a) node:http
function nodeHttp(url) {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const post = (path) =>
    new Promise((resolve) => {
      let chunks = 0;
      const req = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path,
          agent,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.on('data', () => chunks++);
          res.on('end', () => resolve({ chunks, error: res.statusCode === 200 ? null : res.statusCode }));
          res.on('error', (e) => resolve({ chunks, error: String(e) }));
        },
      );
      req.on('error', (e) => resolve({ chunks, error: String(e) }));
      req.end(BODY);
    });
  return { post, close: () => agent.destroy() };
}

// (b) undici Pool#dispatch with a raw (legacy callback) handler
function undiciDispatch(url) {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const post = (path) =>
    new Promise((resolve) => {
      let chunks = 0;
      let status = 0;
      pool.dispatch(
        { origin: url, method: 'POST', path, headers: { 'content-type': 'application/json' }, body: BODY },
        {
          onConnect() {},
          onHeaders(statusCode) {
            status = statusCode;
            return true;
          },
          onData() {
            chunks++;
            return true;
          },
          onComplete() {
            resolve({ chunks, error: status === 200 ? null : status });
          },
          onError(e) {
            resolve({ chunks, error: String(e) });
          },
        },
      );
    });
  return { post, close: () => pool.destroy() };
}

// (c) raw net.Socket + minimal HTTP/1.1 response parser (bench-only: no pipelining, no trailers kept)
class MiniConn {
  constructor(host, port, onFree, onDead) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (b) => this.feed(b));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => {
      this.fail(new Error('socket closed'));
      onDead(this);
    });
    this.onFree = onFree;
    this.handler = null;
  }
  request(head, body, handler) {
    this.handler = handler;
    this.state = 0; // 0 head, 1 length body, 2 chunk size, 3 chunk data, 4 chunk CRLF, 5 trailers
    this.buf = null;
    this.socket.cork();
    this.socket.write(head);
    this.socket.write(body);
    this.socket.uncork();
  }
  fail(e) {
    const h = this.handler;
    this.handler = null;
    if (h) h.onError(e);
  }
  done() {
    const h = this.handler;
    this.handler = null;
    h.onComplete();
    this.onFree(this);
  }
  feed(b) {
    if (!this.handler) return;
    if (this.buf) {
      b = Buffer.concat([this.buf, b]);
      this.buf = null;
    }
    let p = 0;
    while (p < b.length && this.handler) {
      if (this.state === 0) {
        const end = b.indexOf('\r\n\r\n', p, 'latin1');
        if (end < 0) break;
        const lines = b.toString('latin1', p, end).split('\r\n');
        const status = Number(lines[0].slice(9, 12));
        let length = -1;
        let chunked = false;
        for (let i = 1; i < lines.length; i++) {
          const c = lines[i].indexOf(':');
          const name = lines[i].slice(0, c).toLowerCase();
          if (name === 'content-length') length = Number(lines[i].slice(c + 1));
          else if (name === 'transfer-encoding')
            chunked =
              lines[i]
                .slice(c + 1)
                .trim()
                .toLowerCase() === 'chunked';
        }
        p = end + 4;
        this.handler.onHeaders(status);
        if (chunked) this.state = 2;
        else {
          this.state = 1;
          this.remaining = length;
          if (length === 0) this.done();
        }
      } else if (this.state === 1) {
        const n = Math.min(this.remaining, b.length - p);
        this.handler.onData(b.subarray(p, p + n));
        p += n;
        this.remaining -= n;
        if (this.remaining === 0) this.done();
      } else if (this.state === 2) {
        const eol = b.indexOf(13, p);
        if (eol < 0 || eol + 1 >= b.length) break;
        this.remaining = Number.parseInt(b.toString('latin1', p, eol), 16);
        p = eol + 2;
        this.state = this.remaining === 0 ? 5 : 3;
      } else if (this.state === 3) {
        const n = Math.min(this.remaining, b.length - p);
        this.handler.onData(b.subarray(p, p + n));
        p += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 4;
      } else if (this.state === 4) {
        if (b.length - p < 2) break;
        p += 2;
        this.state = 2;
      } else {
        const eol = b.indexOf('\r\n', p, 'latin1');
        if (eol < 0) break;
        const empty = eol === p;
        p = eol + 2;
        if (empty) this.done();
      }
    }
    if (p < b.length && this.handler) this.buf = b.subarray(p);
  }
}
function rawSocket(url) {
  const u = new URL(url);
  const idle = [];
  const all = new Set();
  const free = (c) => idle.push(c);
  const dead = (c) => {
    all.delete(c);
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
  };
  const post = (path) =>
    new Promise((resolve) => {
      let conn = idle.pop();
      if (!conn) {
        conn = new MiniConn(u.hostname, Number(u.port), free, dead);
        all.add(conn);
      }
      let chunks = 0;
      let status = 0;
      const head = `POST ${path} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\nconnection: keep-alive\r\n\r\n`;
      conn.request(head, BODY, {
        onHeaders(s) {
          status = s;
        },
        onData() {
          chunks++;
        },
        onComplete() {
          resolve({ chunks, error: status === 200 ? null : status });
        },
        onError(e) {
          resolve({ chunks, error: String(e) });
        },
      });
    });
  return {
    post,
    close: () => {
      for (const c of all) c.socket.destroy();
    },
  };
}

const VARIANTS = {
  'node-http': { label: 'node:http (keep-alive Agent, IncomingMessage)', make: nodeHttp },
  'undici-dispatch': { label: `undici ${undiciVersion} Pool#dispatch, raw handler`, make: undiciDispatch },
  'raw-socket': { label: 'net.Socket + minimal HTTP/1.1 parser', make: rawSocket },
};
const names = (args.only ? args.only.split(',') : Object.keys(VARIANTS)).filter((v) => VARIANTS[v]);

const report = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, undici: undiciVersion },
  loadAvgAtStart: loadavg(),
  converse: {},
  chunks: {},
};
const order = [...names, ...[...names].reverse()];

{
  const emu = await startEmulator({ seed: 1, profile: { ttftMs: 0, interTokenDelayMs: 0, outputTokens: 10 } });
  for (const name of order) {
    const v = VARIANTS[name].make(emu.url);
    const r = await closedLoop(() => v.post(`/model/${MODEL}/converse`), 64, QUICK ? 300 : 1000, QUICK ? 1500 : 3000);
    await v.close();
    const row = {
      requestsPerSecond: round(r.done / (r.wallMs / 1000), 0),
      cpuPerRequestUs: round((r.cpuMs * 1000) / r.done, 1),
      errors: r.errors,
      loadAvg1m: round(loadavg()[0]),
    };
    console.log('converse', name, row);
    if (!report.converse[name] || row.cpuPerRequestUs < report.converse[name].cpuPerRequestUs)
      report.converse[name] = row;
  }
  await emu.close();
}
const per = {};
for (const deltas of [20, 200]) {
  const emu = await startEmulator({ seed: 1, profile: { ttftMs: 1, interTokenDelayMs: 1, outputTokens: deltas } });
  for (const name of order) {
    const v = VARIANTS[name].make(emu.url);
    const r = await closedLoop(
      () => v.post(`/model/${MODEL}/converse-stream`),
      32,
      QUICK ? 300 : 800,
      QUICK ? 1500 : 3000,
    );
    await v.close();
    const row = { cpuPerStreamUs: (r.cpuMs * 1000) / r.done, chunksPerStream: r.chunks / r.done, errors: r.errors };
    console.log('stream', deltas, name, { ...row, loadAvg1m: round(loadavg()[0]) });
    per[name] ??= {};
    if (!per[name][deltas] || row.cpuPerStreamUs < per[name][deltas].cpuPerStreamUs) per[name][deltas] = row;
  }
  await emu.close();
}
for (const name of names) {
  const a = per[name][20];
  const b = per[name][200];
  // Per event frame (text delta): the 200-delta stream has 180 more frames than the 20-delta one, however the
  // socket reads happened to group them ('data' callbacks per stream are reported as chunksPerStream).
  const perChunk = (b.cpuPerStreamUs - a.cpuPerStreamUs) / 180;
  report.chunks[name] = {
    cpuPerStreamUs_20deltas: round(a.cpuPerStreamUs, 0),
    cpuPerStreamUs_200deltas: round(b.cpuPerStreamUs, 0),
    chunksPerStream: [round(a.chunksPerStream, 1), round(b.chunksPerStream, 1)],
    cpuPerChunkUs: round(perChunk, 2),
    errors: a.errors + b.errors,
  };
}
report.loadAvgAtEnd = loadavg();
console.log(
  '\n| HTTP layer | Converse req/s | CPU µs / Converse request | CPU µs / chunk | CPU µs / stream (20 deltas) |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const name of names) {
  const c = report.converse[name];
  const s = report.chunks[name];
  console.log(
    `| ${VARIANTS[name].label} | ${c.requestsPerSecond} | ${c.cpuPerRequestUs} | ${s.cpuPerChunkUs} | ${s.cpuPerStreamUs_20deltas} |`,
  );
}
console.log(
  'load average at start / end:',
  report.loadAvgAtStart.map((x) => round(x)),
  report.loadAvgAtEnd.map((x) => round(x)),
);
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
