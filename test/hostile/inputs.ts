// Hostile uploads of issue 13, made on the spot: small files that cost a lot of work (a grid of
// short bars that segments into a hundred thousand candidates, an SVG whose blur takes minutes),
// images whose headers lie (a JPEG that claims 4800x4800 and ends after 2.4 KB), and multipart
// bodies that are not what they say.

import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * A `side` x `side` PNG, white, with a grid of short black vertical bars (3x14 px every 9 by 24
 * px): about 150 KB at 4800x4800, and 106,600 candidate characters for the line reader.
 */
export async function gridOfBarsPng(side: number): Promise<Buffer> {
  const data = Buffer.alloc(side * side, 255);
  for (let y0 = 4; y0 + 14 < side; y0 += 24) {
    for (let x0 = 4; x0 + 3 < side; x0 += 9) {
      for (let y = y0; y < y0 + 14; y++) data.fill(0, y * side + x0, y * side + x0 + 3);
    }
  }
  return sharp(data, { raw: { width: side, height: side, channels: 1 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** A 300-byte SVG of `side` x `side` with a Gaussian blur of deviation 500 over all of it. */
export function blurSvg(side = 4800): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">` +
      `<filter id="b"><feGaussianBlur stdDeviation="500"/></filter>` +
      `<rect width="100%" height="100%" fill="#888" filter="url(#b)"/>` +
      `<circle cx="50%" cy="50%" r="40%" fill="#000" filter="url(#b)"/></svg>`,
  );
}

/**
 * A JPEG whose header says `side` x `side` but whose data ends after `bytes` bytes; `eoi` adds
 * the end-of-image marker after the cut, which libjpeg reports only as a warning ("premature end
 * of data segment") and decodes as grey.
 */
export async function truncatedJpeg(side = 4800, bytes = 2400, eoi = true): Promise<Buffer> {
  const noise = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const full = await sharp(noise, { raw: { width: 64, height: 64, channels: 3 } })
    .resize(side, side, { kernel: 'nearest' })
    .jpeg({ quality: 80 })
    .toBuffer();
  const cut = full.subarray(0, bytes);
  return eoi ? Buffer.concat([cut, Buffer.from([0xff, 0xd9])]) : Buffer.from(cut);
}

/** Malformed multipart bodies, each with its content type. */
export function malformedMultipart(): {
  name: string;
  headers: Record<string, string>;
  payload: string;
}[] {
  const part = (boundary: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG....`;
  return [
    {
      name: 'no boundary',
      headers: { 'content-type': 'multipart/form-data' },
      payload: `${part('X')}\r\n--X--\r\n`,
    },
    {
      name: 'a wrong boundary',
      headers: { 'content-type': 'multipart/form-data; boundary=right' },
      payload: `${part('wrong')}\r\n--wrong--\r\n`,
    },
    {
      name: 'an unterminated body',
      headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
      payload: part('b0undary'),
    },
  ];
}

/**
 * A valid all-black 1-bit PNG of `side` x `side`: 20000x20000 (400 megapixels) is about 50 KB,
 * a decompression bomb the pixel limit must refuse from the header.
 */
export function pngBomb(side = 20000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth; colour type 0 (gray)
  const rows = deflateSync(Buffer.alloc((1 + Math.ceil(side / 8)) * side));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
