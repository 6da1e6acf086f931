import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** One decoded event-stream message: headers by name and the raw payload. */
export type EventStreamMessage = ReturnType<EventStreamCodec['decode']>;

/**
 * Splits an `application/vnd.amazon.eventstream` byte stream into messages as bytes arrive, and decodes each one
 * with `@smithy/eventstream-codec` (the codec the AWS SDK uses: same CRC checks, same error messages).
 * No per-frame copies when a network chunk holds whole frames (the common case).
 */
export class EventStreamDecoder {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private pending: Buffer | null = null;

  /** Feeds one network chunk; calls `onMessage` for every complete message. Throws on a corrupt frame. */
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
      // A length below the 16-byte minimum would loop forever; the codec rejects it with its own message.
      const frame = buf.subarray(offset, offset + Math.max(length, 4));
      offset += Math.max(length, 4);
      onMessage(this.codec.decode(frame));
    }
    if (offset < buf.length) this.pending = buf.subarray(offset);
  }

  /** Whether bytes of an incomplete message are buffered (a stream that ends now was truncated). */
  get hasPartialMessage(): boolean {
    return this.pending !== null && this.pending.length > 0;
  }
}
