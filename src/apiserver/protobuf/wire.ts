/**
 * @module
 * A minimal Protobuf wire reader: tags, varints, fixed-width and length-delimited values.
 * Kubernetes objects need nothing else (no zig-zag, no groups), and owning these few lines
 * lets int64 values come back as plain numbers without a Long dependency.
 */

/** Protobuf wire types (encoding spec §"Message structure"). */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const

/** Thrown for bytes that are not a well-formed Protobuf message. */
export class WireError extends Error {
  override readonly name = 'WireError'
}

const utf8 = new TextDecoder()
const TWO_32 = 4294967296

/** Reads one message's bytes front to back. */
export function reader(buf: Uint8Array) {
  let pos = 0
  const need = (n: number) => {
    if (n < 0 || pos + n > buf.length) throw new WireError(`unexpected end of data at offset ${pos}`)
  }
  /** A varint as two 32-bit halves, so 64-bit values survive (JS bit operators are 32-bit). */
  function varint(): { lo: number; hi: number } {
    let lo = 0
    let hi = 0
    for (let i = 0; i < 10; i++) {
      need(1)
      const b = buf[pos++]
      if (i < 4) lo |= (b & 0x7f) << (7 * i)
      else if (i === 4) {
        lo |= (b & 0x0f) << 28
        hi |= (b & 0x7f) >> 4
      } else hi |= (b & 0x7f) << (7 * i - 32)
      if (b < 0x80) return { lo, hi }
    }
    throw new WireError(`varint longer than 10 bytes at offset ${pos}`)
  }
  const self = {
    done: () => pos >= buf.length,
    /** The next field's number and wire type. */
    tag(): { no: number; wireType: number } {
      const { lo } = varint()
      const no = lo >>> 3
      if (no === 0) throw new WireError(`invalid field number 0 at offset ${pos}`)
      return { no, wireType: lo & 7 }
    },
    /** A varint as a signed 64-bit number (exact up to 2^53, which every Kubernetes int64 fits). */
    int64(): number {
      const { lo, hi } = varint()
      return hi * TWO_32 + (lo >>> 0)
    },
    /** Negative int32 values are sent sign-extended to 10 bytes; the low 32 bits are the value. */
    int32: (): number => varint().lo | 0,
    bool(): boolean {
      const { lo, hi } = varint()
      return lo !== 0 || hi !== 0
    },
    double(): number {
      need(8)
      const v = new DataView(buf.buffer, buf.byteOffset + pos, 8).getFloat64(0, true)
      pos += 8
      return v
    },
    /** A length-delimited value, as a view on the input (no copy). */
    bytes(): Uint8Array {
      const len = self.int64()
      need(len)
      const out = buf.subarray(pos, pos + len)
      pos += len
      return out
    },
    string: (): string => utf8.decode(self.bytes()),
    /** Steps over a field this decoder has no table entry for. */
    skip(wireType: number): void {
      switch (wireType) {
        case WireType.varint: varint(); return
        case WireType.fixed64: need(8); pos += 8; return
        case WireType.bytes: self.bytes(); return
        case WireType.fixed32: need(4); pos += 4; return
        case WireType.startGroup: // groups are proto2 legacy no Kubernetes type uses
        default: throw new WireError(`unsupported wire type ${wireType} at offset ${pos}`)
      }
    },
  }
  return self
}
export type Reader = ReturnType<typeof reader>
