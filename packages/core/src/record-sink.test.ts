import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvocationResponse } from './invocation-response.js';
import { type RecordSink, type RunEndInfo, type RunStartInfo, SinkFanout } from './record-sink.js';

/** A sink that remembers what it was fed. */
function collector(name: string) {
  const seen: string[] = [];
  const sink: RecordSink = {
    name,
    onRunStart: (run) => {
      seen.push(`start:${run.runName}`);
    },
    onRecord: (record) => {
      seen.push(`record:${record.id}`);
    },
    onRunEnd: (run) => {
      seen.push(`end:${run.runName}`);
    },
  };
  return { sink, seen };
}

const start: RunStartInfo = { runName: 'r1', startTime: new Date(0) };
const end: RunEndInfo = { runName: 'r1', endTime: new Date(1000) };
const record = (id: string) => new InvocationResponse({ id });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SinkFanout', () => {
  it('feeds every sink the run start, every record and the run end, in order', async () => {
    const a = collector('a');
    const b = collector('b');
    const fanout = new SinkFanout([a.sink, b.sink]);
    await fanout.onRunStart(start);
    await fanout.onRecord(record('1'));
    await fanout.onRecord(record('2'));
    await fanout.onRunEnd(end);
    const expected = ['start:r1', 'record:1', 'record:2', 'end:r1'];
    expect(a.seen).toEqual(expected);
    expect(b.seen).toEqual(expected);
    expect(fanout.name).toBe('fanout');
  });

  it('accepts sinks with only onRecord', async () => {
    const got: InvocationResponse[] = [];
    const fanout = new SinkFanout([{ onRecord: (r) => void got.push(r) }]);
    await fanout.onRunStart(start);
    const r = record('x');
    await fanout.onRecord(r);
    await fanout.onRunEnd(end);
    expect(got).toEqual([r]);
    expect(got[0]).toBe(r);
  });

  it('waits for async sinks before resolving', async () => {
    let done = false;
    const fanout = new SinkFanout([
      {
        onRecord: async () => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          done = true;
        },
      },
    ]);
    await fanout.onRecord(record('1'));
    expect(done).toBe(true);
  });

  it('reports a throwing sink once, detaches it, and keeps feeding the others every record', async () => {
    const good = collector('good');
    const boom = new Error('disk full');
    const bad: RecordSink = {
      name: 'bad',
      onRecord: vi.fn(() => {
        throw boom;
      }),
    };
    const onSinkError = vi.fn();
    const fanout = new SinkFanout([bad, good.sink], { onSinkError });
    await fanout.onRunStart(start);
    for (const id of ['1', '2', '3']) await expect(fanout.onRecord(record(id))).resolves.toBeUndefined();
    await fanout.onRunEnd(end);
    expect(onSinkError).toHaveBeenCalledTimes(1);
    expect(onSinkError).toHaveBeenCalledWith(bad, boom);
    expect(bad.onRecord).toHaveBeenCalledTimes(1);
    expect(fanout.active).toEqual([good.sink]);
    expect(good.seen).toEqual(['start:r1', 'record:1', 'record:2', 'record:3', 'end:r1']);
  });

  it('reports a rejecting sink once even when several calls reject concurrently', async () => {
    const good = collector('good');
    const onSinkError = vi.fn();
    const bad: RecordSink = { name: 'bad', onRecord: () => Promise.reject(new Error('network down')) };
    const fanout = new SinkFanout([good.sink, bad], { onSinkError });
    await Promise.all(['1', '2', '3'].map((id) => fanout.onRecord(record(id))));
    await fanout.onRecord(record('4'));
    expect(onSinkError).toHaveBeenCalledTimes(1);
    expect(onSinkError.mock.calls[0]?.[0]).toBe(bad);
    expect((onSinkError.mock.calls[0]![1] as Error).message).toBe('network down');
    expect(fanout.active).toEqual([good.sink]);
    expect(good.seen).toEqual(['record:1', 'record:2', 'record:3', 'record:4']);
  });

  it('detaches a sink whose onRunStart or onRunEnd fails', async () => {
    const onSinkError = vi.fn();
    const failsAtStart: RecordSink = {
      name: 'start',
      onRunStart: () => {
        throw new Error('no folder');
      },
      onRecord: vi.fn(),
    };
    const failsAtEnd: RecordSink = {
      name: 'end',
      onRecord: vi.fn(),
      onRunEnd: async () => Promise.reject(new Error('x')),
    };
    const fanout = new SinkFanout([failsAtStart, failsAtEnd], { onSinkError });
    await fanout.onRunStart(start);
    await fanout.onRecord(record('1'));
    await fanout.onRunEnd(end);
    expect(failsAtStart.onRecord).not.toHaveBeenCalled();
    expect(failsAtEnd.onRecord).toHaveBeenCalledTimes(1);
    expect(onSinkError.mock.calls.map(([sink]) => (sink as RecordSink).name)).toEqual(['start', 'end']);
    expect(fanout.active).toEqual([]);
  });

  it('survives an error reporter that throws', async () => {
    const good = collector('good');
    const fanout = new SinkFanout(
      [
        {
          onRecord: () => {
            throw new Error('a');
          },
        },
        good.sink,
      ],
      {
        onSinkError: () => {
          throw new Error('reporter broke too');
        },
      },
    );
    await expect(fanout.onRecord(record('1'))).resolves.toBeUndefined();
    await fanout.onRecord(record('2'));
    expect(good.seen).toEqual(['record:1', 'record:2']);
  });

  it('reports through console.warn by default, naming the sink, once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fanout = new SinkFanout([
      {
        name: 'prometheus',
        onRecord: () => {
          throw new Error('scrape');
        },
      },
    ]);
    await fanout.onRecord(record('1'));
    await fanout.onRecord(record('2'));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('sink prometheus failed and was detached');
  });

  it('keeps its own list of sinks', async () => {
    const a = collector('a');
    const list: RecordSink[] = [a.sink];
    const fanout = new SinkFanout(list);
    list.push(collector('late').sink);
    expect(fanout.active).toHaveLength(1);
  });
});
