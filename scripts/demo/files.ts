/** The demo's sample attachments: a screenshot (a real PNG, drawn here), a crash log and an export, the same bytes on every run. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A `width` × `height` RGB PNG of a diagonal gradient tinted by `hue` (0-2). */
function png(width: number, height: number, hue: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * (width * 3 + 1) + 1 + x * 3;
      const shade = Math.floor(((x + y) / (width + height)) * 255);
      rows[at + hue] = 255 - shade;
      rows[at + ((hue + 1) % 3)] = shade;
      rows[at + ((hue + 2) % 3)] = 96;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function crashLog(): Buffer {
  const lines = Array.from({ length: 40 }, (_, i) => `2024-01-08T09:${String(i).padStart(2, '0')}:00Z ${i % 7 === 6 ? 'ERROR' : 'INFO '} sync: batch ${i} of 40 applied`);
  return Buffer.from(`${lines.join('\n')}\nFATAL: write after the draft was closed (editor.ts:118)\n`);
}

function exportCsv(): Buffer {
  const rows = Array.from({ length: 25 }, (_, i) => `${i + 1},Item ${i + 1},${['open', 'pending', 'closed'][i % 3]},${(i * 1.25).toFixed(2)}`);
  return Buffer.from(`id,title,status,total\n${rows.join('\n')}\n`);
}

export function sampleFiles(): { name: string; bytes: Buffer }[] {
  return [
    { name: 'screenshot.png', bytes: png(160, 100, 0) },
    { name: 'settings-page.png', bytes: png(120, 80, 2) },
    { name: 'crash.log', bytes: crashLog() },
    { name: 'export.csv', bytes: exportCsv() },
  ];
}
