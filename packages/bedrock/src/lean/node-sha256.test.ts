import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { NodeSha256, sha256Hex } from './node-sha256.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function request(body: string) {
  return {
    method: 'POST',
    protocol: 'https:',
    hostname: 'bedrock-runtime.us-east-1.amazonaws.com',
    path: `/model/${encodeURIComponent('arn:aws:bedrock:us-east-1::foundation-model/x:0')}/converse-stream`,
    query: {},
    headers: {
      host: 'bedrock-runtime.us-east-1.amazonaws.com',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-content-sha256': sha256Hex(body),
    },
    body,
  };
}

describe('NodeSha256', () => {
  it('signs exactly as the pure-JS hash the SDK ships (same SigV4 signature)', async () => {
    const signingDate = new Date('2026-11-25T03:00:00Z');
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'héllo' }] }] });
    const sign = (sha256: typeof Sha256 | typeof NodeSha256) =>
      new SignatureV4({ credentials, region: 'us-east-1', service: 'bedrock', sha256 }).sign(request(body), {
        signingDate,
      });
    const [reference, ours] = await Promise.all([sign(Sha256), sign(NodeSha256)]);
    expect(ours.headers['authorization']).toBe(reference.headers['authorization']);
    expect(ours.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261125\/us-east-1\/bedrock/,
    );
  });

  it('hashes, resets and computes HMACs like the reference', async () => {
    for (const secret of [undefined, 'key', new Uint8Array([1, 2, 3])]) {
      const a = new Sha256(secret);
      const b = new NodeSha256(secret);
      for (const h of [a, b]) {
        h.update('abc');
        h.update(new Uint8Array([0, 255]));
      }
      expect(Buffer.from(await b.digest())).toEqual(Buffer.from(await a.digest()));
    }
    const h = new NodeSha256();
    h.update('discarded');
    h.reset();
    h.update('abc');
    expect(Buffer.from(await h.digest()).toString('hex')).toBe(sha256Hex('abc'));
  });
});
