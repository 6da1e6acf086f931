import { describe, expect, it } from 'vitest';
import {
  InvocationAbortedError,
  InvocationTimeoutError,
  LLMeterError,
  LLMeterValidationError,
  StreamEventError,
} from './errors.js';

type ErrorsModule = typeof import('./errors.js');

/** A second, separately evaluated copy of the module: what two installed copies of the package look like. */
async function duplicateCopy(tag: string): Promise<ErrorsModule> {
  return (await import(/* @vite-ignore */ `./errors.ts?copy=${tag}`)) as ErrorsModule;
}

describe('LLMeterError', () => {
  it('has a stable name, message and cause', () => {
    const cause = new Error('root');
    const e = new LLMeterError('went wrong', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LLMeterError');
    expect(e.message).toBe('went wrong');
    expect(e.cause).toBe(cause);
    expect('cause' in new LLMeterError('no cause')).toBe(false);
  });

  it('subclasses carry their own names and fields', () => {
    expect(new LLMeterValidationError('bad').name).toBe('LLMeterValidationError');
    const t = new InvocationTimeoutError(250);
    expect(t.name).toBe('InvocationTimeoutError');
    expect(t.timeoutMs).toBe(250);
    expect(t.message).toBe('invocation timed out after 250 ms');
    const reason = new Error('user pressed stop');
    const a = new InvocationAbortedError(reason);
    expect(a.name).toBe('InvocationAbortedError');
    expect(a.message).toBe('invocation aborted: user pressed stop');
    expect(a.cause).toBe(reason);
    expect(new InvocationAbortedError().message).toBe('invocation aborted');
    const s = new StreamEventError('slow down', 'throttlingException', { cause: reason });
    expect(s.name).toBe('StreamEventError');
    expect(s.eventType).toBe('throttlingException');
    expect(s.cause).toBe(reason);
  });

  it('isInstance rejects non-LLMeter values', () => {
    for (const v of [null, undefined, 0, 'LLMeterError', {}, new Error('x'), { name: 'LLMeterError', message: 'x' }]) {
      expect(LLMeterError.isInstance(v)).toBe(false);
    }
    // A plain Error that merely borrows a subclass name is not branded.
    expect(LLMeterValidationError.isInstance(Object.assign(new Error('x'), { name: 'LLMeterValidationError' }))).toBe(
      false,
    );
  });

  it('isInstance on the base matches every subclass; on a subclass only that subclass', () => {
    const all = [
      new LLMeterError('a'),
      new LLMeterValidationError('b'),
      new InvocationTimeoutError(1),
      new InvocationAbortedError(),
      new StreamEventError('c', 'validationException'),
    ];
    for (const e of all) expect(LLMeterError.isInstance(e)).toBe(true);
    expect(all.map((e) => LLMeterValidationError.isInstance(e))).toEqual([false, true, false, false, false]);
    expect(all.map((e) => InvocationTimeoutError.isInstance(e))).toEqual([false, false, true, false, false]);
    expect(all.map((e) => InvocationAbortedError.isInstance(e))).toEqual([false, false, false, true, false]);
    expect(all.map((e) => StreamEventError.isInstance(e))).toEqual([false, false, false, false, true]);
  });

  it('isInstance on a subclass matches its own subclasses, including ones that do not override name', () => {
    class MissingFileError extends LLMeterValidationError {}
    const e = new MissingFileError('no such file');
    expect(e.name).toBe('LLMeterValidationError');
    expect(LLMeterValidationError.isInstance(e)).toBe(true);
    expect(MissingFileError.isInstance(e)).toBe(true);
    expect(MissingFileError.isInstance(new LLMeterValidationError('x'))).toBe(false);
    expect(LLMeterError.isInstance(e)).toBe(true);
  });

  it('isInstance narrows to the subclass type', () => {
    const e: unknown = new StreamEventError('boom', 'modelStreamErrorException');
    if (!StreamEventError.isInstance(e)) throw new Error('expected a StreamEventError');
    // Compiles only because `e` is narrowed to StreamEventError.
    expect(e.eventType).toBe('modelStreamErrorException');
  });

  it('isInstance works across duplicate copies of the package, both ways', async () => {
    const copy = await duplicateCopy('a');
    // It really is a separate copy: identity and instanceof do not cross it.
    expect(copy.LLMeterError).not.toBe(LLMeterError);
    const foreign = new copy.LLMeterValidationError('from the other copy');
    expect(foreign instanceof LLMeterError).toBe(false);

    expect(LLMeterError.isInstance(foreign)).toBe(true);
    expect(LLMeterValidationError.isInstance(foreign)).toBe(true);
    expect(InvocationTimeoutError.isInstance(foreign)).toBe(false);
    expect(copy.LLMeterError.isInstance(new InvocationTimeoutError(5))).toBe(true);
    expect(copy.InvocationTimeoutError.isInstance(new InvocationTimeoutError(5))).toBe(true);
    expect(copy.StreamEventError.isInstance(new InvocationTimeoutError(5))).toBe(false);
    expect(StreamEventError.isInstance(new copy.StreamEventError('x', 'throttlingException'))).toBe(true);
  });
});
