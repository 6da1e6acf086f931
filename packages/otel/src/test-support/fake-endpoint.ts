import { Endpoint, type InvocationResponse, type InvokeContext, type Payload } from '@llmeter/core';

/** What the fake endpoint puts into each record. */
export interface FakeOutcome {
  ttft?: number;
  ttlt?: number;
  chunkTimes?: number[];
  tokensIn?: number;
  tokensOut?: number;
  fail?: Error;
}

/** A core `Endpoint` with canned results: exercises the real `invoke` template. */
export class FakeStreamEndpoint extends Endpoint<Payload, FakeOutcome> {
  #calls = 0;
  constructor(
    private readonly outcome: FakeOutcome,
    modelId = 'anthropic.claude-test',
  ) {
    super({ modelId, endpointName: 'fake', provider: 'bedrock' });
  }
  get endpointType(): string {
    return 'FakeConverseStream';
  }
  /** How many calls reached the API (reads a private field: proves methods run against the real object). */
  get calls(): number {
    return this.#calls;
  }
  protected async callApi(_payload: Payload, _ctx: InvokeContext): Promise<FakeOutcome> {
    this.#calls++;
    if (this.outcome.fail) throw this.outcome.fail;
    return this.outcome;
  }
  protected processRawResponse(raw: FakeOutcome, _start: number, response: InvocationResponse): void {
    response.id = 'req-0123456789';
    response.responseText = 'SECRET RESPONSE TEXT';
    response.timeToFirstToken = raw.ttft ?? null;
    response.timeToLastToken = raw.ttlt ?? null;
    response.chunkTimes = raw.chunkTimes ?? null;
    response.numTokensInput = raw.tokensIn ?? null;
    response.numTokensOutput = raw.tokensOut ?? null;
  }
  protected override extractPrompt(payload: Payload): string | null {
    return typeof payload['prompt'] === 'string' ? payload['prompt'] : null;
  }
}
