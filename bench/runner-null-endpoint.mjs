// An endpoint that answers at once with fixed values: what the harness costs without any network.
import { Endpoint } from '../packages/core/dist/index.js';

export class NullEndpoint extends Endpoint {
  constructor() {
    super({ modelId: 'null', endpointName: 'null', provider: 'null' });
  }
  get endpointType() {
    return 'NullEndpoint';
  }
  async callApi() {
    return null;
  }
  processRawResponse(_raw, start, r) {
    const t = (performance.now() - start) / 1000;
    r.timeToFirstToken = t;
    r.timeToLastToken = t;
    r.numTokensInput = 10;
    r.numTokensOutput = 5;
    r.responseText = 'hello';
  }
}
