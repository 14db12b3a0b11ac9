/**
 * The frame format between Node and the python3 abstract-socket broker: binary payloads survive any cut
 * of the pipe, and a stream that is out of step is refused instead of being misread.
 */
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../src/core/errors.js';
import { encodeFrame, FrameReader, type BrokerFrame } from '../../src/stats/transport-abstract-frames.js';

/** A broker frame as the python side writes it (b'%d %s %d\n' % (id, op, len) + payload). */
function brokerBytes(id: number, op: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(`${id} ${op} ${payload.length}\n`, 'latin1'), payload]);
}

function plain(frames: BrokerFrame[]): Array<{ id: number; op: string; payload: string }> {
  return frames.map((f) => ({ id: f.id, op: f.op, payload: f.payload.toString('hex') }));
}

describe('frames to the broker', () => {
  it('a header line ID OP LEN, then the raw bytes', () => {
    const payload = Buffer.from([0x47, 0x0a, 0x00, 0xff]);
    expect(encodeFrame(12, 'write', payload).equals(Buffer.concat([Buffer.from('12 write 4\n'), payload]))).toBe(true);
    expect(encodeFrame(3, 'close').toString('latin1')).toBe('3 close 0\n');
    expect(encodeFrame(1, 'open', Buffer.from('uwsgi-stats')).toString('latin1')).toBe('1 open 11\nuwsgi-stats');
  });
});

describe('frames from the broker', () => {
  // A payload full of newlines, NULs and bytes that look like headers: only LEN decides where it ends.
  const tricky = Buffer.concat([Buffer.from('7 end 0\n\n{"pid":1}\r\n'), Buffer.from([0, 255, 10, 10, 0])]);
  const stream = Buffer.concat([
    brokerBytes(1, 'connected'),
    brokerBytes(1, 'data', tricky),
    brokerBytes(2, 'error', Buffer.from('ECONNREFUSED')),
    brokerBytes(1, 'end'),
  ]);
  const expected = [
    { id: 1, op: 'connected', payload: '' },
    { id: 1, op: 'data', payload: tricky.toString('hex') },
    { id: 2, op: 'error', payload: Buffer.from('ECONNREFUSED').toString('hex') },
    { id: 1, op: 'end', payload: '' },
  ];

  it('whole stream at once', () => {
    expect(plain(new FrameReader().push(stream))).toEqual(expected);
  });

  it('the same frames whatever the pipe cuts: every split point, and one byte at a time', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      const frames = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(plain(frames), `cut at ${cut}`).toEqual(expected);
    }
    const reader = new FrameReader();
    const frames: BrokerFrame[] = [];
    for (const byte of stream) frames.push(...reader.push(Buffer.from([byte])));
    expect(plain(frames)).toEqual(expected);
  });

  it('a malformed stream is refused: unknown op, garbage header, no newline, oversized payload', () => {
    expect(() => new FrameReader().push(Buffer.from('1 open 0\n'))).toThrow(FrameError);
    expect(() => new FrameReader().push(Buffer.from('Traceback (most recent call last):\n'))).toThrow(FrameError);
    expect(() => new FrameReader().push(Buffer.alloc(200, 0x41))).toThrow(/no frame header/);
    expect(() => new FrameReader().push(Buffer.from(`1 data ${2 * 1024 * 1024}\n`))).toThrow(/payload of 2097152 bytes/);
  });

  it('an incomplete frame waits for the rest instead of failing', () => {
    const reader = new FrameReader();
    expect(reader.push(Buffer.from('4 data 5\nab'))).toEqual([]);
    expect(plain(reader.push(Buffer.from('cde')))).toEqual([{ id: 4, op: 'data', payload: Buffer.from('abcde').toString('hex') }]);
  });
});
