/**
 * A .npy reader written from the format description, independently of src/npy.ts, so the writer is
 * checked against the spec rather than against itself.
 */
export interface ParsedNpy {
  major: number;
  minor: number;
  headerLength: number;
  /** Offset of the first data byte. */
  dataOffset: number;
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Interleaved real/imag float32 values, read little-endian byte by byte. */
  values: Float32Array;
}

const HEADER = /^\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \(([\d, ]*)\), \} *\n$/;

export function readNpy(file: Buffer): ParsedNpy {
  if (file.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error('bad magic');
  const major = file[6]!;
  const minor = file[7]!;
  const headerLength = file[8]! | (file[9]! << 8);
  const dataOffset = 10 + headerLength;
  const header = file.subarray(10, dataOffset).toString('latin1');
  const m = HEADER.exec(header);
  if (!m) throw new Error(`header does not parse: ${JSON.stringify(header)}`);
  const shape = m[3]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const data = file.subarray(dataOffset);
  const values = new Float32Array(data.length / 4);
  for (let i = 0; i < values.length; i++) values[i] = data.readFloatLE(i * 4);
  return { major, minor, headerLength, dataOffset, descr: m[1]!, fortranOrder: m[2] === 'True', shape, values };
}

/** The bytes a float array covers (not its whole ArrayBuffer, which may hold more). */
export const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The interpreter with NumPy for the cross-check (CI images: Debian `python3-numpy`). */
export const PYTHON = process.env.PYTHON ?? 'python3';
