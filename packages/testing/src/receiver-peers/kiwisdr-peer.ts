import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { type Tone, toneSample } from './tone';

/**
 * A test peer that speaks the KiwiSDR sound stream as kiwiclient (the protocol's own client) expects
 * it: WebSocket at `/{timestamp}/SND`, binary `MSG` messages (`too_busy`, `badp`, version, `audio_rate`,
 * `sample_rate`), then, once the client has set IQ mode, binary `SND` frames: flags, sequence (u32 LE),
 * S-meter (u16 BE), a 10-byte GPS header and 512 big-endian int16 I/Q pairs, paced in real time and
 * carrying a known tone. `behaviour` produces the refusals and failures a real Kiwi shows.
 */
export interface KiwiPeerOptions {
  tone: Tone;
  /** What the peer reports and streams at (a real Kiwi: 12000 or 20250). */
  sampleRate?: number;
  password?: string;
  /** S-meter the frames carry, in dBm. */
  rssiDbm?: number;
  behaviour?: 'ok' | 'busy' | 'stall' | 'drop';
}

export interface KiwiPeer {
  port: number;
  /** Every text command received, in order. */
  commands: string[];
  openConnections(): number;
  close(): Promise<void>;
}

const FRAME_SAMPLES = 512;
const SND_FLAG_STEREO = 0x08;
export const KIWI_GPS = { gpssec: 345_600, gpsnsec: 250_000_000 };

const msg = (text: string) => Buffer.from(`MSG ${text}`, 'latin1');

export async function startKiwiPeer(options: KiwiPeerOptions): Promise<KiwiPeer> {
  const rate = options.sampleRate ?? 12_000;
  const commands: string[] = [];
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (!/^\/\d+\/SND$/.test(req.url ?? '')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });
  wss.on('connection', (ws) => {
    let timer: NodeJS.Timeout | undefined;
    ws.on('close', () => clearInterval(timer));
    ws.on('error', () => undefined);
    if (options.behaviour === 'busy') {
      ws.send(msg('too_busy=4'));
      ws.close();
      return;
    }
    const startStreaming = () => {
      const started = performance.now();
      let seq = 0;
      timer = setInterval(() => {
        const elapsed = performance.now() - started;
        if (options.behaviour === 'stall' && seq >= 3) return;
        if (options.behaviour === 'drop' && elapsed > 250) return ws.terminate();
        while ((seq + 1) * FRAME_SAMPLES <= (elapsed / 1000) * rate) {
          const frame = Buffer.alloc(3 + 7 + 10 + FRAME_SAMPLES * 4);
          frame.write('SND', 0, 'latin1');
          frame[3] = SND_FLAG_STEREO;
          frame.writeUInt32LE(seq, 4);
          frame.writeUInt16BE(Math.round(((options.rssiDbm ?? -73) + 127) * 10), 8);
          frame[10] = 3; // last GPS solution, seconds ago
          frame.writeUInt32LE(KIWI_GPS.gpssec, 12);
          frame.writeUInt32LE(KIWI_GPS.gpsnsec, 16);
          for (let k = 0; k < FRAME_SAMPLES; k++) {
            const [i, q] = toneSample(options.tone, rate, seq * FRAME_SAMPLES + k);
            frame.writeInt16BE(Math.round(i * 32767), 20 + 4 * k);
            frame.writeInt16BE(Math.round(q * 32767), 22 + 4 * k);
          }
          ws.send(frame);
          seq++;
        }
      }, 10);
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      commands.push(text);
      const auth = /^SET auth t=kiwi p=(.*)$/.exec(text);
      if (auth) {
        if (options.password !== undefined && auth[1] !== options.password) {
          ws.send(msg('badp=1'));
          ws.close();
          return;
        }
        ws.send(msg('badp=0'));
        ws.send(msg('version_maj=1 version_min=560'));
        ws.send(msg('bandwidth=30000000'));
        ws.send(msg(`audio_init=0 audio_rate=${Math.round(rate)}`));
        ws.send(msg(`sample_rate=${rate.toFixed(3)}`));
      }
      if (/^SET mod=iq /.test(text) && !timer) startStreaming();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    commands,
    openConnections: () => wss.clients.size,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
