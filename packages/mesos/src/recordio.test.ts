import { describe, expect, it } from 'vitest';
import { MesosRecordIOError } from './errors';
import { encodeRecord, RecordIODecoder } from './recordio';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('encodeRecord', () => {
  it('prefixes the byte length, not the character length', () => {
    expect(text(encodeRecord(utf8('{"a":"é"}')))).toBe('10\n{"a":"é"}');
    expect(encodeRecord(new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([0x33, 0x0a, 1, 2, 3]));
  });
});

describe('RecordIODecoder', () => {
  it('returns several records pushed in one chunk', () => {
    const decoder = new RecordIODecoder();
    const records = decoder.push(utf8('3\nabc2\nde1\nf'));
    expect(records.map(text)).toEqual(['abc', 'de', 'f']);
    expect(decoder.buffered).toBe(0);
  });

  it('reassembles records split at every possible byte boundary', () => {
    const stream = utf8('5\nhello14\n{"k":"€uro"}');
    for (let cut = 1; cut < stream.byteLength; cut++) {
      const decoder = new RecordIODecoder();
      const first = decoder.push(stream.subarray(0, cut));
      const second = decoder.push(stream.subarray(cut));
      expect([...first, ...second].map(text)).toEqual(['hello', '{"k":"€uro"}']);
      expect(decoder.buffered).toBe(0);
    }
  });

  it('counts bytes of multi-byte UTF-8 payloads fed one byte at a time', () => {
    const payload = '{"message":"naïve 日本 🚀"}';
    const stream = new Uint8Array([...encodeRecord(utf8(payload)), ...encodeRecord(utf8('{}'))]);
    const decoder = new RecordIODecoder();
    const records: Uint8Array[] = [];
    for (const byte of stream) records.push(...decoder.push(new Uint8Array([byte])));
    expect(records.map(text)).toEqual([payload, '{}']);
  });

  it('reports how many bytes it holds for an incomplete record', () => {
    const decoder = new RecordIODecoder();
    expect(decoder.push(utf8('1'))).toEqual([]);
    expect(decoder.buffered).toBe(1);
    expect(decoder.push(utf8('0\nabcd'))).toEqual([]);
    expect(decoder.buffered).toBe(4);
  });

  it('passes binary payloads through untouched', () => {
    const payload = new Uint8Array([0x0a, 0x00, 0xff, 0x0a]);
    expect(new RecordIODecoder().push(encodeRecord(payload))).toEqual([payload]);
  });

  it('rejects a non-numeric length with a typed error and stays failed', () => {
    const decoder = new RecordIODecoder();
    expect(() => decoder.push(utf8('{"type":"HEARTBEAT"}'))).toThrow(MesosRecordIOError);
    expect(() => decoder.push(utf8('2\nok'))).toThrow(MesosRecordIOError);
  });

  it('rejects an empty length and an absurd length', () => {
    expect(() => new RecordIODecoder().push(utf8('\nabc'))).toThrow(/empty record length/);
    const error = (() => {
      try {
        new RecordIODecoder({ maxRecordBytes: 1000 }).push(utf8('99999999999999999999999\n'));
      } catch (e) {
        return e as MesosRecordIOError;
      }
      throw new Error('expected a failure');
    })();
    expect(error.code).toBe('MESOS_RECORDIO');
    expect(error.message).toContain('exceeds the 1000-byte limit');
  });
});
