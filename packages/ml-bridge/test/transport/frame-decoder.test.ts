import { encode, type StarweaveError } from '@starweave/actors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrameHeader, FrameDecoder } from '../../src/transport/index.js';

function frameBytes(body: Uint8Array): Uint8Array {
  return Buffer.concat([encodeFrameHeader(body.length), body]);
}

function collect(maxFrameBytes = 1024) {
  const bodies: Uint8Array[] = [];
  const errors: StarweaveError[] = [];
  const decoder = new FrameDecoder({
    maxFrameBytes,
    onFrame: (body) => bodies.push(body),
    onError: (error) => errors.push(error),
  });
  return { decoder, bodies, errors };
}

describe('FrameDecoder', () => {
  it('decodes a frame fed one byte at a time', () => {
    const { decoder, bodies } = collect();
    const body = encode({ type: 'response', id: 1, result: 'ok' });
    for (const byte of frameBytes(body)) decoder.push(new Uint8Array([byte]));
    expect(bodies).toHaveLength(1);
    expect(Buffer.from(bodies[0]!).equals(Buffer.from(body))).toBe(true);
    expect(decoder.hasPartialFrame).toBe(false);
  });

  it('decodes several frames from one chunk', () => {
    const { decoder, bodies } = collect();
    const chunk = Buffer.concat([1, 2, 3].map((id) => frameBytes(encode({ id }))));
    decoder.push(chunk);
    expect(bodies.map((body) => Buffer.from(body).toString('hex'))).toEqual(
      [1, 2, 3].map((id) => Buffer.from(encode({ id })).toString('hex')),
    );
  });

  it('keeps a partial frame until the rest arrives', () => {
    const { decoder, bodies } = collect();
    const bytes = frameBytes(encode('x'.repeat(100)));
    decoder.push(bytes.subarray(0, 50));
    expect(bodies).toHaveLength(0);
    expect(decoder.hasPartialFrame).toBe(true);
    decoder.push(bytes.subarray(50));
    expect(bodies).toHaveLength(1);
  });

  it('skips an oversized frame with ERR_FRAME_TOO_LARGE and goes on', () => {
    const { decoder, bodies, errors } = collect(10);
    const big = frameBytes(new Uint8Array(50).fill(7));
    const small = frameBytes(new Uint8Array([0xc0]));
    decoder.push(Buffer.concat([big.subarray(0, 20)]));
    decoder.push(Buffer.concat([big.subarray(20), small]));
    expect(errors.map((error) => error.code)).toEqual(['ERR_FRAME_TOO_LARGE']);
    expect(errors[0]!.details).toEqual({ size: 50, maxFrameBytes: 10 });
    expect(bodies).toHaveLength(1);
    expect([...bodies[0]!]).toEqual([0xc0]);
  });

  it('fails with ERR_DECODE on a zero length and ignores later input', () => {
    const { decoder, bodies, errors } = collect();
    decoder.push(Buffer.concat([encodeFrameHeader(0), frameBytes(new Uint8Array([1]))]));
    expect(errors.map((error) => error.code)).toEqual(['ERR_DECODE']);
    expect(decoder.isFailed).toBe(true);
    expect(bodies).toHaveLength(0);
  });

  it('decodes any split of a frame sequence (fast-check, seed 42)', () => {
    const seed = 42;
    console.info(`fast-check seed ${seed}`);
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 20 }),
        (bodies, cuts) => {
          const { decoder, bodies: out } = collect();
          const stream = Buffer.concat(bodies.map(frameBytes));
          let offset = 0;
          let cut = 0;
          while (offset < stream.length) {
            const size = cuts[cut++ % cuts.length]!;
            decoder.push(stream.subarray(offset, offset + size));
            offset += size;
          }
          expect(out.map((body) => Buffer.from(body).toString('hex'))).toEqual(
            bodies.map((body) => Buffer.from(body).toString('hex')),
          );
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});
