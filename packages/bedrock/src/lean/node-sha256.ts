import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256 (or HMAC-SHA-256 when given a secret) on Node's native crypto, in the `Checksum` shape that
 * `@smithy/signature-v4` expects. Native hashing costs a fraction of the pure-JS `@aws-crypto/sha256-js`.
 */
export class NodeSha256 {
  private readonly secret: Buffer | undefined;
  // Created on first use: SigV4 makes one instance per digest, so creating the next one eagerly would double the
  // (native, but not free) hash/HMAC set-up per signature.
  private hash: Hash | Hmac | undefined;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
  }

  private create(): Hash | Hmac {
    return this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }

  update(data: SourceData): void {
    this.hash ??= this.create();
    this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.digestSync());
  }

  digestSync(): Uint8Array {
    const out = (this.hash ?? this.create()).digest();
    this.hash = undefined;
    return out;
  }

  reset(): void {
    this.hash = undefined;
  }
}

/** Hex SHA-256 of a body (the `x-amz-content-sha256` header value). */
export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}
