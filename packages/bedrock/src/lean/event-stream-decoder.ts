import { crc32 } from 'node:zlib';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/**
 * One decoded event-stream message: header values by name (`:event-type`, …; read-only, possibly shared with the
 * previous message) and the payload bytes.
 */
export interface EventStreamMessage {
  headers: Readonly<Record<string, unknown>>;
  body: Buffer;
}

const PRELUDE_LENGTH = 12;
const MINIMUM_LENGTH = 16;
const STRING_HEADER = 7;

// CRC-32 (IEEE) table for the 8-byte prelude, built on first use: checking it in JS needs no Buffer view.
let crcTable: Int32Array | null = null;

function preludeCrc(frame: Buffer): number {
  let table = crcTable;
  if (table === null) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
    crcTable = table;
  }
  let crc = -1;
  for (let i = 0; i < 8; i++) crc = table[(crc ^ frame[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * Splits an `application/vnd.amazon.eventstream` byte stream into messages as bytes arrive and decodes them.
 *
 * The common message (string headers only, both CRCs right) is decoded here with Node's native CRC-32, several
 * times cheaper than `@smithy/eventstream-codec`'s general decoder. Anything else — another header type, a bad
 * CRC, a bad length — goes to that codec (the one the AWS SDK uses), so odd messages decode and corrupt ones fail
 * exactly as under the SDK, with the same messages. No copies when a network chunk holds whole messages.
 */
export class EventStreamDecoder {
  // The general codec, created only when a message needs it (most streams never do): less state per live stream.
  private codec: EventStreamCodec | null = null;
  private pending: Buffer | null = null;
  // The header block of the last fast-decoded message and its decoded (frozen) map: the messages of a stream
  // mostly repeat the same header bytes (`:event-type contentBlockDelta`, …), which then decode to the same map.
  private lastHeaderBytes: Buffer | null = null;
  private lastHeaders: Readonly<Record<string, unknown>> = {};

  /** Feeds one network chunk; calls `onMessage` for every complete message. Throws on a corrupt message. */
  push(chunk: Buffer, onMessage: (message: EventStreamMessage) => void): void {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let offset = 0;
    while (buf.length - offset >= 4) {
      const length = buf.readUInt32BE(offset);
      if (buf.length - offset < length) break;
      // A length below the minimum would never advance: hand it to the codec, which rejects it.
      const end = offset + Math.max(length, MINIMUM_LENGTH);
      const frame = buf.subarray(offset, Math.min(end, buf.length));
      offset = end;
      onMessage(this.decodeFast(frame) ?? this.decodeWithCodec(frame));
    }
    if (offset < buf.length) this.pending = buf.subarray(offset);
  }

  /** Whether bytes of an incomplete message are buffered (a stream that ends now was truncated). */
  get hasPartialMessage(): boolean {
    return this.pending !== null && this.pending.length > 0;
  }

  private decodeFast(frame: Buffer): EventStreamMessage | undefined {
    const total = frame.length;
    if (total < MINIMUM_LENGTH || frame.readUInt32BE(0) !== total) return undefined;
    const headersLength = frame.readUInt32BE(4);
    const bodyStart = PRELUDE_LENGTH + headersLength;
    if (bodyStart > total - 4) return undefined;
    if (preludeCrc(frame) !== frame.readUInt32BE(8)) return undefined;
    if (crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4)) return undefined;
    const body = frame.subarray(bodyStart, total - 4);
    const last = this.lastHeaderBytes;
    if (
      last !== null &&
      last.length === headersLength &&
      frame.compare(last, 0, headersLength, PRELUDE_LENGTH, bodyStart) === 0
    ) {
      return { headers: this.lastHeaders, body };
    }
    const headers: Record<string, unknown> = {};
    let p = PRELUDE_LENGTH;
    while (p < bodyStart) {
      const nameLength = frame[p]!;
      const nameEnd = p + 1 + nameLength;
      if (nameEnd + 3 > bodyStart || frame[nameEnd] !== STRING_HEADER) return undefined;
      const valueLength = frame.readUInt16BE(nameEnd + 1);
      const valueStart = nameEnd + 3;
      if (valueStart + valueLength > bodyStart) return undefined;
      headers[frame.toString('utf8', p + 1, nameEnd)] = frame.toString('utf8', valueStart, valueStart + valueLength);
      p = valueStart + valueLength;
    }
    this.lastHeaderBytes = Buffer.from(frame.subarray(PRELUDE_LENGTH, bodyStart));
    this.lastHeaders = Object.freeze(headers);
    return { headers, body };
  }

  private decodeWithCodec(frame: Buffer): EventStreamMessage {
    this.codec ??= new EventStreamCodec(toUtf8, fromUtf8);
    const message = this.codec.decode(frame);
    const headers: Record<string, unknown> = {};
    for (const [name, header] of Object.entries(message.headers)) headers[name] = header.value;
    const body = message.body;
    return { headers, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  }
}
