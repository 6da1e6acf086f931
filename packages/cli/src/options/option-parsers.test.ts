import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  jsonOrFile,
  nonEmpty,
  port,
  positiveInteger,
  positiveIntegerList,
  positiveNumber,
  positiveNumberList,
  slo,
  url,
  warmup,
} from './option-parsers.js';

describe('option parsers', () => {
  it('accept good values', () => {
    expect(positiveInteger('12')).toBe(12);
    expect(positiveNumber('2.5')).toBe(2.5);
    expect(positiveNumberList('5, 10,2.5')).toEqual([5, 10, 2.5]);
    expect(positiveIntegerList('1,4,16')).toEqual([1, 4, 16]);
    expect(warmup('5')).toBe(5);
    expect(warmup('10s')).toEqual({ seconds: 10 });
    expect(warmup('0.5s')).toEqual({ seconds: 0.5 });
    expect(slo('ttft=0.5,tpot=0.05')).toEqual({ ttft: 0.5, tpot: 0.05 });
    expect(slo('TTLT = 3')).toEqual({ ttlt: 3 });
    expect(url('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(jsonOrFile('{"ttftMs": 5}')).toEqual({ ttftMs: 5 });
    expect(port('0')).toBe(0);
    expect(port('65535')).toBe(65535);
    expect(nonEmpty('us-east-1')).toBe('us-east-1');
  });

  it.each([
    [positiveInteger, '0'],
    [positiveInteger, '-3'],
    [positiveInteger, '1.5'],
    [positiveInteger, '1e3'],
    [positiveInteger, ''],
    [positiveNumber, '0'],
    [positiveNumber, 'abc'],
    [positiveNumber, 'Infinity'],
    [positiveNumber, ' '],
    [positiveNumberList, '5,,10'],
    [positiveNumberList, '5,-1'],
    [positiveIntegerList, '1,2.5'],
    [warmup, '5m'],
    [warmup, '2.5'],
    [slo, 'ttft'],
    [slo, 'ttft=0'],
    [slo, 'p99=1'],
    [url, 'localhost:8080'],
    [url, 'ftp://x'],
    [jsonOrFile, '{nope'],
    [jsonOrFile, '/no/such/profile.json'],
    [port, '65536'],
    [port, '-1'],
    [nonEmpty, ''],
    [nonEmpty, '  '],
  ] as [(v: string) => unknown, string][])('%o rejects %j with an InvalidArgumentError', (parse, value) => {
    expect(() => parse(value)).toThrow(InvalidArgumentError);
  });
});
