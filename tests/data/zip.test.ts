/** The defensive zip reader: round trips, caps, zip bombs, lying headers and damaged archives. */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ArchiveLimitError, crc32, openZip } from '../../data/zip';
import { dataError } from '../support/ingest-helpers';

const MiB = 1024 * 1024;

/** Offsets of the central-directory records of a zip (to forge headers in tests). */
function centralRecords(zip: Uint8Array): number[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: number[] = [];
  for (let p = 0; p + 4 <= zip.length; p++) if (v.getUint32(p, true) === 0x02014b50) out.push(p);
  return out;
}

describe('zip reader', () => {
  it('reads stored and deflated entries with names, folders and unicode', () => {
    const zip = zipSync({
      'cats/a.png': [strToU8('hello'), { level: 0 }],
      'dogs/b.png': strToU8('x'.repeat(10_000)),
      'dogs/ümlaut é.txt': strToU8('unicode'),
      empty: {},
    });
    const a = openZip(zip, 'pets.zip');
    const files = a.entries.filter((e) => !e.isDirectory);
    expect(files.map((e) => e.name)).toEqual(['cats/a.png', 'dogs/b.png', 'dogs/ümlaut é.txt']);
    expect(a.entries.find((e) => e.isDirectory)?.name).toBe('empty/');
    expect(files.map((e) => e.method)).toEqual([0, 8, 8]);
    expect(new TextDecoder().decode(a.read(files[0]))).toBe('hello');
    expect(a.read(files[1]).length).toBe(10_000);
    expect(a.inflatedBytes).toBe(10_005);
  });

  it('computes the zip CRC-32', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
  });

  it('refuses an entry that declares more than the per-file cap before inflating it', () => {
    const bomb = zipSync({ 'zeros.bin': new Uint8Array(16 * MiB) }, { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const a = openZip(bomb, 'bomb.zip', { maxEntryBytes: MiB });
    const err = dataError(() => a.read(a.entries[0]));
    expect(err).toBeInstanceOf(ArchiveLimitError);
    expect(err).toMatchObject({ file: 'bomb.zip', entry: 'zeros.bin' });
    expect(err.message).toBe('bomb.zip: entry "zeros.bin" would inflate to 16.0 MiB, more than the 1.00 MiB per file this page reads. Use smaller images.');
  });

  it('stops a zip bomb that lies about its size after one small push', () => {
    const bomb = zipSync({ 'zeros.bin': new Uint8Array(64 * MiB) }, { level: 9 });
    // Forge the declared size down to 1000 bytes in both headers.
    const v = new DataView(bomb.buffer);
    v.setUint32(22, 1000, true);
    v.setUint32(centralRecords(bomb)[0] + 24, 1000, true);
    const a = openZip(bomb, 'liar.zip');
    expect(a.entries[0].size).toBe(1000);
    const heapBefore = process.memoryUsage().heapUsed;
    const err = dataError(() => a.read(a.entries[0]));
    expect(err).toBeInstanceOf(ArchiveLimitError);
    expect(err.message).toContain('liar.zip: entry "zeros.bin" inflates to more than its declared 1000 bytes: the archive is damaged or a zip bomb');
    // Nowhere near the 64 MiB it would inflate to.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * MiB);
    expect(a.inflatedBytes).toBe(0);
  });

  it('refuses an archive whose entries together inflate past the total cap', () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 5; i++) many[`c/${i}.bin`] = new Uint8Array(400 * 1024);
    const a = openZip(zipSync(many), 'many.zip', { maxTotalBytes: MiB });
    a.read(a.entries[0]);
    a.read(a.entries[1]);
    const err = dataError(() => a.read(a.entries[2]));
    expect(err).toBeInstanceOf(ArchiveLimitError);
    expect(err.message).toMatch(/^many\.zip: the archive inflates to more than 1\.00 MiB \(read 800\.0 KiB, next entry 400\.0 KiB\)/);
  });

  it('refuses too many entries', () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) many[`c/${i}.png`] = strToU8('x');
    const err = dataError(() => openZip(zipSync(many), 'lots.zip', { maxEntries: 20 }));
    expect(err.message).toBe('lots.zip: the archive has 30 entries, more than the 20 this page reads. Use fewer images per class.');
  });

  it('names damaged archives and entries', () => {
    expect(dataError(() => openZip(strToU8('just text, not a zip'), 'a.zip')).message).toBe(
      'a.zip: this is not a .zip archive (no zip directory found). Drop a .zip made with a zip tool, or drop the folder itself.',
    );
    expect(dataError(() => openZip(new Uint8Array(0), 'empty.zip')).file).toBe('empty.zip');
    const zip = zipSync({ 'c/a.png': strToU8('a'.repeat(5000)) });
    // Flip bytes inside the compressed data: invalid deflate or a checksum mismatch.
    const broken = zip.slice();
    const size = new DataView(zip.buffer).getUint32(18, true);
    for (let p = 30 + 7 + 1; p < 30 + 7 + size - 1; p++) broken[p] ^= 0x5a;
    const a = openZip(broken, 'broken.zip');
    const err = dataError(() => a.read(a.entries[0]));
    expect(err).not.toBeInstanceOf(ArchiveLimitError);
    expect(err.entry).toBe('c/a.png');
    expect(err.message).toMatch(/^broken\.zip: entry "c\/a\.png" (is not valid deflate data|fails its checksum|inflates to)/);
    // Cut off in the middle: the directory is gone.
    expect(dataError(() => openZip(zip.subarray(0, zip.length - 30), 'cut.zip')).message).toMatch(/cut\.zip: (this is not a \.zip archive|the archive is damaged)/);
  });

  it('refuses encrypted entries and unsupported compression methods by name', () => {
    const zip = zipSync({ 'c/a.png': strToU8('abc') });
    const cd = centralRecords(zip)[0];
    const enc = zip.slice();
    new DataView(enc.buffer).setUint16(cd + 8, 1, true);
    const a = openZip(enc, 'secret.zip');
    expect(dataError(() => a.read(a.entries[0])).message).toBe('secret.zip: entry "c/a.png" is encrypted. Re-create the .zip without a password.');
    const lzma = zip.slice();
    new DataView(lzma.buffer).setUint16(cd + 10, 14, true);
    const b = openZip(lzma, 'lzma.zip');
    expect(dataError(() => b.read(b.entries[0])).message).toContain('uses compression method 14; only stored and deflate are supported');
  });
});
