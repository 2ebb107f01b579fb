/**
 * Just enough RFC 6455 framing for a probe: masked client frames out, and an
 * incremental parser for server frames that refuses masked frames (§5.1) and
 * frames larger than the probe could ever need, so memory stays bounded.
 */
import { randomBytes } from 'node:crypto';

export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

export function encodeFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const len = payload.length;
  const head: number[] = [0x80 | opcode];
  if (len < 126) head.push(0x80 | len);
  else if (len < 65536) head.push(0x80 | 126, len >> 8, len & 0xff);
  else {
    head.push(0x80 | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([Buffer.from(head), mask, masked]);
}

export function closePayload(code: number, reason = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Appends bytes and returns the complete frames; throws a readable Error on a protocol violation. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      if (this.buf.length < 2) return out;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      if (b0 & 0x70) throw new Error('server frame has RSV bits set though no extension was negotiated');
      const opcode = b0 & 0x0f;
      if (![0, 1, 2, 8, 9, 10].includes(opcode)) throw new Error(`server frame has unknown opcode ${opcode}`);
      if (b1 & 0x80) throw new Error('server frame is masked (servers must not mask, RFC 6455 §5.1)');
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return out;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return out;
        const big = this.buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_FRAME_PAYLOAD))
          throw new Error(`server frame of ${big} bytes exceeds the probe's ${MAX_FRAME_PAYLOAD}-byte limit`);
        len = Number(big);
        off = 10;
      }
      if (len > MAX_FRAME_PAYLOAD) throw new Error(`server frame of ${len} bytes exceeds the probe's limit`);
      if (opcode >= 8 && (len > 125 || !(b0 & 0x80))) throw new Error('server sent an invalid control frame');
      if (this.buf.length < off + len) return out;
      out.push({ fin: !!(b0 & 0x80), opcode, payload: this.buf.subarray(off, off + len) });
      this.buf = this.buf.subarray(off + len);
    }
  }
}
