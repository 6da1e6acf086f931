import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudioContent,
  DocumentContent,
  detectFormatFromBytes,
  detectFormatFromPath,
  ImageContent,
  MEDIA_FORMATS,
  type MediaContent,
  type MediaKind,
  VideoContent,
} from './content-blocks.js';
import { LLMeterValidationError } from './errors.js';
import { parseJSON, stringifyJSON } from './json-codec.js';

// ---- Real tiny sample files, one per format, built from their published headers ----

const ascii = (s: string) => Buffer.from(s, 'latin1');
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const u16le = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
/** A RIFF container: `RIFF`, little-endian size of what follows, the form type, then the chunks. */
const riff = (form: string, ...chunks: Buffer[]) => {
  const body = Buffer.concat([ascii(form), ...chunks]);
  return Buffer.concat([ascii('RIFF'), u32le(body.length), body]);
};
const chunk = (id: string, data: Buffer) => Buffer.concat([ascii(id), u32le(data.length), data]);

/** A valid 1×1 PNG (signature, IHDR, IDAT, IEND). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** A valid 1×1 GIF89a. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
/** JPEG: SOI, a JFIF APP0 segment, EOI. */
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  ascii('JFIF\0'),
  Buffer.from([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]),
]);
/** A valid 1×1 lossless WebP (RIFF … WEBP VP8L). */
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
/** A minimal PDF 1.4 with one empty page. */
const PDF = ascii(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 1 1]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
/** MP4: an `ftyp` box with major brand `isom`, then an empty `mdat`. */
const MP4 = Buffer.concat([u32be(24), ascii('ftypisom'), u32be(0x200), ascii('isomiso2mp41'), u32be(8), ascii('mdat')]);
/** QuickTime: an `ftyp` box with major brand `qt  `, then an empty `mdat`. */
const MOV = Buffer.concat([u32be(20), ascii('ftypqt  '), u32be(0x20050300), ascii('qt  '), u32be(8), ascii('mdat')]);
/** AVI: RIFF … `AVI ` with an `hdrl` LIST holding an `avih` chunk. */
const AVI = riff('AVI ', chunk('LIST', Buffer.concat([ascii('hdrl'), chunk('avih', Buffer.alloc(56))])));
/** WAV: RIFF … WAVE, a PCM `fmt ` chunk (mono, 8 kHz, 16-bit) and two silent samples. */
const WAV = riff(
  'WAVE',
  chunk('fmt ', Buffer.concat([u16le(1), u16le(1), u32le(8000), u32le(16000), u16le(2), u16le(16)])),
  chunk('data', Buffer.alloc(4)),
);
/** One MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz), frame sync 0xFFFB. */
const MP3_FRAME = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(28)]);
/** MP3 with an ID3v2.3 tag in front of the frame. */
const MP3_ID3 = Buffer.concat([ascii('ID3'), Buffer.from([0x03, 0x00, 0x00, 0, 0, 0, 0]), MP3_FRAME]);
/** Ogg: one page header (`OggS`, version 0, beginning-of-stream) with no segments. */
const OGG = Buffer.concat([ascii('OggS'), Buffer.from([0x00, 0x02]), Buffer.alloc(21)]);

type Sample = { kind: MediaKind; format: string; file: string; bytes: Buffer };
const SAMPLES: Sample[] = [
  { kind: 'image', format: 'jpeg', file: 'photo.jpg', bytes: JPEG },
  { kind: 'image', format: 'jpeg', file: 'photo2.jpeg', bytes: JPEG },
  { kind: 'image', format: 'png', file: 'pixel.png', bytes: PNG },
  { kind: 'image', format: 'gif', file: 'pixel.gif', bytes: GIF },
  { kind: 'image', format: 'webp', file: 'pixel.webp', bytes: WEBP },
  { kind: 'document', format: 'pdf', file: 'report.pdf', bytes: PDF },
  { kind: 'video', format: 'mp4', file: 'clip.mp4', bytes: MP4 },
  { kind: 'video', format: 'mov', file: 'clip.mov', bytes: MOV },
  { kind: 'video', format: 'avi', file: 'clip.avi', bytes: AVI },
  { kind: 'audio', format: 'mp3', file: 'tagged.mp3', bytes: MP3_ID3 },
  { kind: 'audio', format: 'mp3', file: 'frames.mp3', bytes: MP3_FRAME },
  { kind: 'audio', format: 'wav', file: 'tone.wav', bytes: WAV },
  { kind: 'audio', format: 'ogg', file: 'tone.ogg', bytes: OGG },
];

const CLASSES = { image: ImageContent, audio: AudioContent, video: VideoContent, document: DocumentContent } as const;
const ACCEPTED: Record<MediaKind, string> = {
  image: 'accepted image formats: jpeg, png, gif, webp',
  document: 'accepted document formats: pdf',
  video: 'accepted video formats: mp4, mov, avi',
  audio: 'accepted audio formats: mp3, wav, ogg',
};

let dir = '';
const at = (file: string) => join(dir, file);
const write = (file: string, bytes: Uint8Array) => {
  writeFileSync(at(file), bytes);
  return at(file);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'llmeter-content-'));
  for (const s of SAMPLES) write(s.file, s.bytes);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The validation error `fn` throws (fails the test when it throws nothing or something else). */
function errorOf(fn: () => unknown): LLMeterValidationError {
  try {
    fn();
  } catch (e) {
    expect(LLMeterValidationError.isInstance(e), String(e)).toBe(true);
    return e as LLMeterValidationError;
  }
  throw new Error('expected a validation error, nothing was thrown');
}

describe('MEDIA_FORMATS', () => {
  it('is exactly the reference table', () => {
    expect(MEDIA_FORMATS).toEqual({
      image: ['jpeg', 'png', 'gif', 'webp'],
      document: ['pdf'],
      video: ['mp4', 'mov', 'avi'],
      audio: ['mp3', 'wav', 'ogg'],
    });
    expect(new Set(SAMPLES.map((s) => s.format)).size).toBe(11);
  });
});

describe('detectFormatFromBytes', () => {
  it.each(SAMPLES.map((s) => [s.file, s.format, s.bytes] as const))('detects %s as %s', (_file, format, bytes) => {
    expect(detectFormatFromBytes(bytes)).toBe(format);
  });

  it('detects QuickTime files that start with a moov, mdat, wide, free or skip atom', () => {
    for (const atom of ['moov', 'mdat', 'wide', 'free', 'skip']) {
      expect(detectFormatFromBytes(Buffer.concat([u32be(8), ascii(atom)]))).toBe('mov');
    }
  });

  it('is undefined for unknown, empty and truncated content', () => {
    expect(detectFormatFromBytes(ascii('hello, world'))).toBeUndefined();
    expect(detectFormatFromBytes(new Uint8Array(0))).toBeUndefined();
    expect(detectFormatFromBytes(Buffer.from([0xff]))).toBeUndefined();
    expect(detectFormatFromBytes(ascii('RIFF\0\0\0\0XXXX'))).toBeUndefined();
    expect(detectFormatFromBytes(ascii('RIFF'))).toBeUndefined();
    expect(detectFormatFromBytes(PNG.subarray(0, 7))).toBeUndefined();
  });
});

describe('detectFormatFromPath', () => {
  it.each([
    ['a.jpg', 'jpeg'],
    ['a.jpeg', 'jpeg'],
    ['a.png', 'png'],
    ['a.gif', 'gif'],
    ['a.webp', 'webp'],
    ['a.pdf', 'pdf'],
    ['a.mp4', 'mp4'],
    ['a.mov', 'mov'],
    ['a.avi', 'avi'],
    ['a.mp3', 'mp3'],
    ['a.wav', 'wav'],
    ['a.ogg', 'ogg'],
    ['/some/dir.d/PHOTO.JPG', 'jpeg'],
    ['Clip.MoV', 'mov'],
  ])('%s → %s', (path, format) => {
    expect(detectFormatFromPath(path)).toBe(format);
  });

  it('is undefined for other or missing extensions', () => {
    for (const p of ['a.tiff', 'a.bmp', 'a.m4a', 'a.txt', 'README', 'png', '.png.bak']) {
      expect(detectFormatFromPath(p), p).toBeUndefined();
    }
  });
});

describe.each(SAMPLES.map((s) => [s.file, s] as const))('%s', (_file, sample) => {
  const cls = CLASSES[sample.kind];

  it(`fromBytes detects ${sample.format} by magic bytes and keeps a copy of the bytes`, () => {
    const input = new Uint8Array(sample.bytes);
    const content: MediaContent = cls.fromBytes(input);
    expect(content).toBeInstanceOf(cls);
    expect(content.kind).toBe(sample.kind);
    expect(content.format).toBe(sample.format);
    expect(Buffer.compare(Buffer.from(content.bytes), sample.bytes)).toBe(0);
    input[0] = 0;
    expect(content.bytes[0]).toBe(sample.bytes[0]);
  });

  it(`fromPath detects ${sample.format} and names the content after the file`, () => {
    const content: MediaContent = cls.fromPath(at(sample.file));
    expect(content).toBeInstanceOf(cls);
    expect(content.format).toBe(sample.format);
    expect(content.name).toBe(sample.file);
    expect(Buffer.compare(Buffer.from(content.bytes), sample.bytes)).toBe(0);
  });

  it('is refused by every other kind, naming the content and the formats accepted', () => {
    for (const other of Object.keys(CLASSES) as MediaKind[]) {
      if (other === sample.kind) continue;
      const fromBytes = errorOf(() => CLASSES[other].fromBytes(sample.bytes));
      expect(fromBytes.message).toContain(`holds ${sample.kind} content (${sample.format}), not ${other}`);
      expect(fromBytes.message).toContain(ACCEPTED[other]);
      const fromPath = errorOf(() => CLASSES[other].fromPath(at(sample.file)));
      expect(fromPath.message).toContain(`file ${at(sample.file)}`);
      expect(fromPath.message).toContain(ACCEPTED[other]);
    }
  });
});

describe('extension fallback', () => {
  it('uses the extension when the bytes match no known format', () => {
    const unknown = ascii('not a recognisable header');
    expect(AudioContent.fromPath(write('raw-audio.wav', unknown)).format).toBe('wav');
    expect(ImageContent.fromPath(write('raw-image.JPEG', unknown)).format).toBe('jpeg');
    expect(VideoContent.fromPath(write('raw-video.avi', unknown)).format).toBe('avi');
    expect(DocumentContent.fromPath(write('raw-doc.pdf', unknown)).format).toBe('pdf');
  });

  it('refuses an extension of another kind when the bytes match no known format', () => {
    const path = write('raw-audio.mp3', ascii('not a recognisable header'));
    const e = errorOf(() => ImageContent.fromPath(path));
    expect(e.message).toBe(`file ${path}: extension means audio (mp3), not image; ${ACCEPTED.image}`);
  });
});

describe('invalid content', () => {
  it('refuses empty bytes and empty files', () => {
    expect(errorOf(() => ImageContent.fromBytes(new Uint8Array(0))).message).toBe(
      `image bytes is empty; ${ACCEPTED.image}`,
    );
    const path = write('empty.png', new Uint8Array(0));
    expect(errorOf(() => ImageContent.fromPath(path)).message).toBe(`file ${path} is empty; ${ACCEPTED.image}`);
  });

  it('refuses unknown bytes, and unknown files with an unknown extension', () => {
    expect(errorOf(() => VideoContent.fromBytes(ascii('plain text'))).message).toBe(
      `video bytes: unknown content format; ${ACCEPTED.video}`,
    );
    const path = write('mystery.bin', ascii('plain text'));
    expect(errorOf(() => DocumentContent.fromPath(path)).message).toBe(
      `file ${path}: unknown content format; ${ACCEPTED.document}`,
    );
    const noExt = write('mystery', ascii('plain text'));
    expect(errorOf(() => AudioContent.fromPath(noExt)).message).toContain(ACCEPTED.audio);
  });

  it('refuses a .png that holds a PDF, whichever kind reads it', () => {
    const path = write('fake.png', PDF);
    const asImage = errorOf(() => ImageContent.fromPath(path));
    expect(asImage.message).toBe(`file ${path} holds document content (pdf), not image; ${ACCEPTED.image}`);
    const asDocument = errorOf(() => DocumentContent.fromPath(path));
    expect(asDocument.message).toBe(
      `file ${path}: the extension says png but the content is pdf; ${ACCEPTED.document}`,
    );
  });

  it('refuses a .gif that holds a PNG (same kind, wrong extension)', () => {
    const path = write('pixel-really-png.gif', PNG);
    expect(errorOf(() => ImageContent.fromPath(path)).message).toBe(
      `file ${path}: the extension says gif but the content is png; ${ACCEPTED.image}`,
    );
  });

  it('refuses audio given to VideoContent', () => {
    expect(errorOf(() => VideoContent.fromBytes(WAV)).message).toBe(
      `video bytes holds audio content (wav), not video; ${ACCEPTED.video}`,
    );
    expect(errorOf(() => VideoContent.fromPath(at('tone.ogg'))).message).toBe(
      `file ${at('tone.ogg')} holds audio content (ogg), not video; ${ACCEPTED.video}`,
    );
  });

  it('refuses a format option that is not of the kind, or not a format at all', () => {
    expect(errorOf(() => ImageContent.fromBytes(PNG, { format: 'pdf' })).message).toBe(
      `image bytes: format "pdf" is not a image format; ${ACCEPTED.image}`,
    );
    expect(errorOf(() => AudioContent.fromBytes(WAV, { format: 'flac' })).message).toContain(ACCEPTED.audio);
    expect(errorOf(() => VideoContent.fromPath(at('clip.mp4'), { format: 'mp3' })).message).toBe(
      `file ${at('clip.mp4')}: format "mp3" is not a video format; ${ACCEPTED.video}`,
    );
  });

  it('refuses an unreadable path, naming it and the formats accepted', () => {
    const missing = at('does-not-exist.png');
    const e = errorOf(() => ImageContent.fromPath(missing));
    expect(e.message).toContain(`cannot read image file ${missing}`);
    expect(e.message).toContain('ENOENT');
    expect(e.message).toContain(ACCEPTED.image);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    // A directory is not readable as a file either.
    expect(errorOf(() => DocumentContent.fromPath(dir)).message).toContain(`cannot read document file ${dir}`);
  });

  it('refuses bytes that are not a Uint8Array', () => {
    expect(errorOf(() => ImageContent.fromBytes('iVBOR' as unknown as Uint8Array)).message).toBe(
      'image bytes must be a Uint8Array or Buffer',
    );
  });
});

describe('options', () => {
  it('takes a format given in options instead of sniffing', () => {
    const c = ImageContent.fromBytes(ascii('raw pixels'), { format: 'png' });
    expect(c.format).toBe('png');
  });

  it('takes a name given in options', () => {
    expect(DocumentContent.fromPath(at('report.pdf'), { name: 'Quarterly' }).name).toBe('Quarterly');
    expect(DocumentContent.fromBytes(PDF, { name: 'Inline' }).name).toBe('Inline');
    expect(ImageContent.fromBytes(PNG).name).toBeUndefined();
  });
});

describe('toContentBlock', () => {
  it('builds the Converse block for each kind', () => {
    const image = ImageContent.fromBytes(PNG);
    expect(image.toContentBlock()).toEqual({ image: { format: 'png', source: { bytes: image.bytes } } });
    const audio = AudioContent.fromBytes(WAV);
    expect(audio.toContentBlock()).toEqual({ audio: { format: 'wav', source: { bytes: audio.bytes } } });
    const video = VideoContent.fromBytes(MOV);
    expect(video.toContentBlock()).toEqual({ video: { format: 'mov', source: { bytes: video.bytes } } });
  });

  it('gives documents a name Bedrock accepts', () => {
    expect(DocumentContent.fromPath(at('report.pdf')).toContentBlock()).toEqual({
      document: { format: 'pdf', name: 'report', source: { bytes: expect.any(Uint8Array) } },
    });
    const named = (name: string) =>
      (DocumentContent.fromBytes(PDF, { name }).toContentBlock()['document'] as { name: string }).name;
    expect(named('My  report (v2).final.pdf')).toBe('My report (v2)-final');
    expect(named('a_b@c[1].pdf')).toBe('a-b-c[1]');
    expect(named('...')).toBe('--');
    expect(named('.pdf')).toBe('document');
    expect((DocumentContent.fromBytes(PDF).toContentBlock()['document'] as { name: string }).name).toBe('document');
  });
});

describe('media inside payloads', () => {
  it('saves and loads a payload with an image block byte-identically', () => {
    const image = ImageContent.fromPath(at('pixel.png'));
    const payload = {
      modelId: 'anthropic.claude-3-haiku',
      messages: [{ role: 'user', content: [{ text: 'What is in this image?' }, image.toContentBlock()] }],
      inferenceConfig: { maxTokens: 64 },
    };
    const saved = stringifyJSON(payload);
    expect(saved).toContain(`"bytes":{"__llmeter_bytes__":"${PNG.toString('base64')}"}`);
    const loaded = parseJSON(saved) as typeof payload;
    expect(loaded).toEqual(payload);
    const block = loaded.messages[0]!.content[1] as { image: { format: string; source: { bytes: Uint8Array } } };
    expect(block.image.format).toBe('png');
    expect(block.image.source.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(block.image.source.bytes), PNG)).toBe(0);
    // Saving what was loaded gives the same text again.
    expect(stringifyJSON(loaded)).toBe(saved);
  });

  it('keeps the bytes of a content object placed in a payload as it is', () => {
    const audio = AudioContent.fromBytes(OGG);
    const loaded = parseJSON(stringifyJSON({ content: [audio] })) as {
      content: { bytes: Uint8Array; format: string; kind: string }[];
    };
    expect(loaded.content[0]!.format).toBe('ogg');
    expect(loaded.content[0]!.kind).toBe('audio');
    expect(Buffer.compare(Buffer.from(loaded.content[0]!.bytes), OGG)).toBe(0);
  });
});
