import { endianness } from 'node:os';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
// NumPy aligns the data so it can be memory-mapped: magic + version + length + header is a multiple of 64.
const ALIGNMENT = 64;
const PREAMBLE = MAGIC.length + 2 + 2; // magic, version 1.0, uint16 header length
/** Version 1.0 stores the header length as uint16. */
const MAX_V1_HEADER = 0xffff;

/**
 * The .npy v1.0 header for a 1-D little-endian complex64 array of `length` elements
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 */
export function npyComplex64Header(length: number): Buffer {
  const dict = `{'descr': '<c8', 'fortran_order': False, 'shape': (${length},), }`;
  // Spaces then a final newline, so that everything before the data ends on a 64-byte boundary.
  const total = Math.ceil((PREAMBLE + dict.length + 1) / ALIGNMENT) * ALIGNMENT;
  const header = `${dict.padEnd(total - PREAMBLE - 1, ' ')}\n`;
  if (header.length > MAX_V1_HEADER) throw new RangeError('npy header too long for version 1.0');
  const out = Buffer.alloc(total);
  MAGIC.copy(out, 0);
  out[6] = 1; // major
  out[7] = 0; // minor
  out.writeUInt16LE(header.length, 8);
  out.write(header, PREAMBLE, 'latin1');
  return out;
}

/** Bytes in front of the data: a 1-D complex64 header pads to 128 for any realistic length. */
const HEADROOM = 128;

/**
 * Room for `sampleCount` interleaved I/Q samples with space for the .npy header in front: a source
 * that captures into this array lets `encodeComplex64Npy` write the file in place, without copying
 * the capture (tens of MB per receiver) and without holding it twice in memory.
 */
export function allocateIq(sampleCount: number): Float32Array {
  return new Float32Array(new ArrayBuffer(HEADROOM + sampleCount * 8), HEADROOM, sampleCount * 2);
}

/**
 * Encodes interleaved I/Q float32 samples (I0, Q0, I1, Q1, ...) as a complex64 .npy file: NumPy's
 * complex64 is exactly two float32s per element, real first, so the data section is the array's bytes.
 * Samples from `allocateIq` become the file in place (the array's memory is then the file's); any
 * other array is copied.
 */
export function encodeComplex64Npy(iq: Float32Array): Buffer {
  if (iq.length % 2 !== 0) throw new RangeError('interleaved I/Q needs an even number of floats');
  const header = npyComplex64Header(iq.length / 2);
  const inPlace = iq.byteOffset === header.length && iq.buffer.byteLength === header.length + iq.byteLength;
  const out = inPlace ? Buffer.from(iq.buffer as ArrayBuffer) : Buffer.allocUnsafeSlow(header.length + iq.byteLength);
  header.copy(out, 0);
  const data = out.subarray(header.length);
  if (!inPlace) Buffer.from(iq.buffer, iq.byteOffset, iq.byteLength).copy(data);
  // The header promises little-endian ('<c8'); typed arrays use the host's byte order.
  if (endianness() === 'BE') data.swap32();
  return out;
}
