// Importing the package and building endpoints must do nothing: no endpoint type registered, no client created,
// no AWS setting read (region, credentials and the SDK's defaults are read on the first invoke only).
// Nothing from the package is imported statically here: the import itself is under test. (Vitest runs each test
// file in a fresh process, so the SDK has read nothing yet when this one starts.)
import { registeredEndpointTypes } from '@llmeter/core';
import { afterEach, describe, expect, it } from 'vitest';

const realEnv = process.env;
afterEach(() => {
  process.env = realEnv;
});

/** Replaces process.env with a proxy that records the AWS_* names read (or tested with `in`). */
function watchEnv(): string[] {
  const reads: string[] = [];
  const note = (key: string | symbol) => {
    if (typeof key === 'string' && key.startsWith('AWS_')) reads.push(key);
  };
  process.env = new Proxy(realEnv, {
    get(target, key, receiver) {
      note(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      note(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
  return reads;
}

/** What the SDK reads when a client is created or sends, and what region / credential resolution reads. */
const CLIENT_SETTINGS = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_DEFAULTS_MODE',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

describe('@llmeter/bedrock has no side effects', () => {
  it('at import, at construction, serialization and payload building', async () => {
    const typesBefore = registeredEndpointTypes();
    const reads = watchEnv();
    const bedrock = await import('./index.js');
    // The SDK's own modules may look at a Lambda flag or two when loaded; no client setting is read.
    expect(reads.filter((key) => CLIENT_SETTINGS.includes(key))).toEqual([]);
    expect(registeredEndpointTypes()).toEqual(typesBefore);

    reads.length = 0;
    for (const transport of ['sdk', 'lean'] as const) {
      const endpoints = [
        new bedrock.BedrockConverse({ modelId: 'm', transport }),
        new bedrock.BedrockConverseStream({ modelId: 'm', transport, ttftVisibleTokensOnly: false }),
      ];
      for (const endpoint of endpoints) {
        endpoint.toJSON();
        endpoint.preparePayload(bedrock.BedrockConverse.createPayload('hi'));
        expect(endpoint.region).toBeNull();
      }
    }
    // Creating a client reads settings (the control that proves the watch works), so none was created above.
    expect(reads).toEqual([]);
    bedrock.createBedrockRuntimeClient({}).destroy();
    expect(reads.filter((key) => CLIENT_SETTINGS.includes(key)).length).toBeGreaterThan(0);
  });
});
