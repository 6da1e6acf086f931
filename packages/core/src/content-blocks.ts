import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { LLMeterValidationError } from './errors.js';

/** The kind of a media content block. */
export type MediaKind = 'image' | 'audio' | 'video' | 'document';

/** Every format LLMeter recognises, by kind (the Converse `format` values). */
export const MEDIA_FORMATS: Readonly<Record<MediaKind, readonly string[]>> = {
  image: ['jpeg', 'png', 'gif', 'webp'],
  document: ['pdf'],
  video: ['mp4', 'mov', 'avi'],
  audio: ['mp3', 'wav', 'ogg'],
};

const EXTENSIONS: Readonly<Record<string, string>> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.png': 'png',
  '.gif': 'gif',
  '.webp': 'webp',
  '.pdf': 'pdf',
  '.mp4': 'mp4',
  '.mov': 'mov',
  '.avi': 'avi',
  '.mp3': 'mp3',
  '.wav': 'wav',
  '.ogg': 'ogg',
};

const KIND_OF_FORMAT: Readonly<Record<string, MediaKind>> = Object.fromEntries(
  Object.entries(MEDIA_FORMATS).flatMap(([kind, formats]) => formats.map((f) => [f, kind as MediaKind])),
);

function ascii(bytes: Uint8Array, from: number, length: number): string {
  if (bytes.length < from + length) return '';
  return String.fromCharCode(...bytes.subarray(from, from + length));
}

/** Detects a media format from magic bytes; undefined when the bytes match none of the known formats. */
export function detectFormatFromBytes(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return 'gif';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (ascii(bytes, 0, 4) === 'OggS') return 'ogg';
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const sub = ascii(bytes, 8, 4);
    if (sub === 'WEBP') return 'webp';
    if (sub === 'WAVE') return 'wav';
    if (sub === 'AVI ') return 'avi';
  }
  const box = ascii(bytes, 4, 4);
  if (box === 'ftyp') return ascii(bytes, 8, 4) === 'qt  ' ? 'mov' : 'mp4';
  if (box === 'moov' || box === 'mdat' || box === 'wide' || box === 'free' || box === 'skip') return 'mov';
  if (ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  if (bytes.length >= 2 && bytes[0] === 0xff && ((bytes[1] as number) & 0xe0) === 0xe0) return 'mp3';
  return undefined;
}

/** Detects a media format from a file name's extension; undefined for an unknown extension. */
export function detectFormatFromPath(path: string): string | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** Options for `fromBytes`. */
export interface FromBytesOptions {
  /** The format, when the bytes are not to be sniffed (must be one this kind accepts). */
  format?: string;
  /** A name for the content (documents need one; defaults to the file's base name or `document`). */
  name?: string;
}

/**
 * A media content block of a prompt: image, audio, video or document bytes with their format.
 * Use the subclasses' `fromBytes` / `fromPath`. Format detection is a convenience for tests and benchmarks;
 * it does not validate that a file is safe.
 */
export abstract class MediaContent {
  abstract readonly kind: MediaKind;

  constructor(
    /** The raw bytes. */
    readonly bytes: Uint8Array,
    /** The format (`png`, `pdf`, `mp4`, …). */
    readonly format: string,
    /** A name (documents). */
    readonly name?: string,
  ) {}

  /** The Converse content block: `{ [kind]: { format, source: { bytes } } }` (plus `name` for documents). */
  toContentBlock(): Record<string, unknown> {
    const block: Record<string, unknown> = { format: this.format, source: { bytes: this.bytes } };
    if (this.kind === 'document') block['name'] = sanitizeDocumentName(this.name ?? 'document');
    return { [this.kind]: block };
  }
}

function sanitizeDocumentName(name: string): string {
  // Bedrock accepts alphanumerics, single spaces, hyphens, parentheses and square brackets.
  const cleaned = name
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned || 'document';
}

type MediaClass<T extends MediaContent> = new (bytes: Uint8Array, format: string, name?: string) => T;

function resolveFormat(
  kind: MediaKind,
  bytes: Uint8Array,
  where: string,
  pathFormat: string | undefined,
  given?: string,
): string {
  const accepted = MEDIA_FORMATS[kind];
  const acceptedText = `accepted ${kind} formats: ${accepted.join(', ')}`;
  if (bytes.length === 0) throw new LLMeterValidationError(`${where} is empty; ${acceptedText}`);
  if (given !== undefined) {
    if (!accepted.includes(given))
      throw new LLMeterValidationError(
        `${where}: format ${JSON.stringify(given)} is not a ${kind} format; ${acceptedText}`,
      );
    return given;
  }
  const sniffed = detectFormatFromBytes(bytes);
  if (sniffed !== undefined) {
    if (!accepted.includes(sniffed)) {
      throw new LLMeterValidationError(
        `${where} holds ${KIND_OF_FORMAT[sniffed]} content (${sniffed}), not ${kind}; ${acceptedText}`,
      );
    }
    if (pathFormat !== undefined && pathFormat !== sniffed) {
      throw new LLMeterValidationError(
        `${where}: the extension says ${pathFormat} but the content is ${sniffed}; ${acceptedText}`,
      );
    }
    return sniffed;
  }
  if (pathFormat !== undefined) {
    if (!accepted.includes(pathFormat)) {
      throw new LLMeterValidationError(
        `${where}: extension means ${KIND_OF_FORMAT[pathFormat]} (${pathFormat}), not ${kind}; ${acceptedText}`,
      );
    }
    return pathFormat;
  }
  throw new LLMeterValidationError(`${where}: unknown content format; ${acceptedText}`);
}

function fromBytesOf<T extends MediaContent>(
  cls: MediaClass<T>,
  kind: MediaKind,
  bytes: Uint8Array,
  options: FromBytesOptions = {},
): T {
  if (!(bytes instanceof Uint8Array)) throw new LLMeterValidationError(`${kind} bytes must be a Uint8Array or Buffer`);
  const format = resolveFormat(kind, bytes, `${kind} bytes`, undefined, options.format);
  return new cls(new Uint8Array(bytes), format, options.name);
}

function fromPathOf<T extends MediaContent>(
  cls: MediaClass<T>,
  kind: MediaKind,
  path: string,
  options: FromBytesOptions = {},
): T {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new LLMeterValidationError(
      `cannot read ${kind} file ${path}: ${(cause as Error).message}; accepted ${kind} formats: ${MEDIA_FORMATS[kind].join(', ')}`,
      { cause },
    );
  }
  const format = resolveFormat(kind, bytes, `file ${path}`, detectFormatFromPath(path), options.format);
  return new cls(bytes, format, options.name ?? basename(path));
}

/** An image (jpeg, png, gif, webp). */
export class ImageContent extends MediaContent {
  readonly kind = 'image' as const;
  /** From bytes: format by magic bytes unless given. */
  static fromBytes(bytes: Uint8Array, options?: FromBytesOptions): ImageContent {
    return fromBytesOf(ImageContent, 'image', bytes, options);
  }
  /** From a file: format by magic bytes, then by extension; a mismatch between the two is an error. */
  static fromPath(path: string, options?: FromBytesOptions): ImageContent {
    return fromPathOf(ImageContent, 'image', path, options);
  }
}

/** Audio (mp3, wav, ogg). */
export class AudioContent extends MediaContent {
  readonly kind = 'audio' as const;
  static fromBytes(bytes: Uint8Array, options?: FromBytesOptions): AudioContent {
    return fromBytesOf(AudioContent, 'audio', bytes, options);
  }
  static fromPath(path: string, options?: FromBytesOptions): AudioContent {
    return fromPathOf(AudioContent, 'audio', path, options);
  }
}

/** Video (mp4, mov, avi). */
export class VideoContent extends MediaContent {
  readonly kind = 'video' as const;
  static fromBytes(bytes: Uint8Array, options?: FromBytesOptions): VideoContent {
    return fromBytesOf(VideoContent, 'video', bytes, options);
  }
  static fromPath(path: string, options?: FromBytesOptions): VideoContent {
    return fromPathOf(VideoContent, 'video', path, options);
  }
}

/** A document (pdf). */
export class DocumentContent extends MediaContent {
  readonly kind = 'document' as const;
  static fromBytes(bytes: Uint8Array, options?: FromBytesOptions): DocumentContent {
    return fromBytesOf(DocumentContent, 'document', bytes, options);
  }
  static fromPath(path: string, options?: FromBytesOptions): DocumentContent {
    return fromPathOf(DocumentContent, 'document', path, options);
  }
}

/** One item of a prompt: text or media. */
export type ContentItem = string | MediaContent;
