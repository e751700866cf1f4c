import WebSocket from 'ws';
import { CaptureSession, ReceiverFailure, type SessionLimits, samplesFor } from './capture-session';
import type { AcquireRequest, Capture, ReceiverSource } from './receiver-source';

// The KiwiSDR sound stream (as the public kiwiclient speaks it): a WebSocket at `/{timestamp}/SND`;
// the client sends text commands (`SET ...`); the server sends binary messages tagged by their first
// three bytes: `MSG` (space-separated name=value pairs after one byte) and `SND` (flags u8, sequence
// u32 LE, S-meter u16 BE, then in IQ mode a GPS header and big-endian int16 I/Q pairs).
const SND_HEADER = 7;
const GPS_HEADER = 10;
/** The IQ passband the Kiwi's own UI uses: ±5 kHz around the tuned frequency. */
const PASSBAND_HZ = 5_000;
const KEEPALIVE_MS = 1_000;
/** Plausible KiwiSDR rates: 12 kHz (and 12.001…), 20.25 kHz on the 14-bit/3-channel builds. */
const MIN_RATE = 1_000;

/** Parses a MSG body's `name=value` pairs (values are URL-encoded on the wire where they need it). */
export function parseKiwiMsg(body: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const pair of body.split(' ')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    out.set(eq < 0 ? pair : pair.slice(0, eq), eq < 0 ? null : pair.slice(eq + 1));
  }
  return out;
}

const BAD_PASSWORD: Record<string, string> = {
  '1': 'bad password (or every channel that needs none is busy)',
  '2': 'the receiver is still determining its address; try again shortly',
  '5': 'the receiver refuses several connections from one address',
  '6': 'the receiver is updating its database; try again in a minute',
};

export function kiwisdrSource(limits: SessionLimits): ReceiverSource {
  return {
    name: 'kiwisdr',
    acquire(req: AcquireRequest): Promise<Capture> {
      if (!req.address) throw new ReceiverFailure('KiwiSDR receiver without an address');
      const { host, port, password } = req.address;
      // The timestamp in the path tells the Kiwi's streams of one client apart.
      const ws = new WebSocket(`ws://${host}:${port}/${Date.now() % 2 ** 32}/SND`, { perMessageDeflate: false });
      let keepalive: NodeJS.Timeout | undefined;
      const session = new CaptureSession(limits, req.signal, () => {
        clearInterval(keepalive);
        ws.terminate();
      });
      const maxRate = req.maxSampleRate ?? Number.POSITIVE_INFINITY;
      const send = (text: string) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(text);
      };
      const reported: Record<string, unknown> = {};
      let versionMajor: number | undefined;
      let rate = 0;
      let frames = 0;
      let lastSeq: number | undefined;
      let missedFrames = 0;
      let rssiSum = 0;
      let firstGps: { gpssec: number; gpsnsec: number; last_gps_solution: number } | undefined;

      const onParam = (name: string, value: string | null) => {
        switch (name) {
          case 'too_busy':
            return session.fail(`busy: all ${value} client slots taken`);
          case 'badp':
            if (value && value !== '0') return session.fail(BAD_PASSWORD[value] ?? `refused (badp=${value})`);
            reported.authenticated = true;
            return;
          case 'down':
            return session.fail('the receiver is down');
          case 'redirect':
            return session.fail('the receiver redirects elsewhere');
          case 'version_maj':
            versionMajor = Number(value);
            return;
          case 'version_min':
            reported.server_version = `${versionMajor ?? '?'}.${value}`;
            return;
          case 'audio_rate':
            // Acknowledged as kiwiclient does; we ask for no resampling of our own.
            send(`SET AR OK in=${Number(value)} out=44100`);
            return;
          case 'sample_rate': {
            rate = Number(value);
            if (!Number.isFinite(rate) || rate < MIN_RATE || rate > maxRate) {
              return session.fail(`wrong rate: the receiver reports ${value} Hz (accepted: ${MIN_RATE}…${maxRate} Hz)`);
            }
            reported.sample_rate_reported = rate;
            const kHz = (req.frequencyHz / 1000).toFixed(3);
            send('SET squelch=0 max=0');
            send('SET genattn=0');
            send('SET gen=0 mix=-1');
            send(`SET mod=iq low_cut=${-PASSBAND_HZ} high_cut=${PASSBAND_HZ} freq=${kHz}`);
            send('SET agc=1 hang=0 thresh=-100 slope=6 decay=1000 manGain=50');
            send('SET compression=0');
            send('SET keepalive');
            // The Kiwi drops clients it hears nothing from; kiwiclient keeps it at about once a second.
            keepalive = setInterval(() => send('SET keepalive'), KEEPALIVE_MS);
            session.begin(samplesFor(req.durationMs, rate));
            return;
          }
        }
      };

      const onSound = (body: Buffer) => {
        if (!session.capturing || body.length < SND_HEADER + GPS_HEADER) return;
        const seq = body.readUInt32LE(1);
        const rssi = 0.1 * body.readUInt16BE(5) - 127;
        if (lastSeq !== undefined && seq !== lastSeq + 1) missedFrames += Math.max(0, seq - lastSeq - 1);
        lastSeq = seq;
        frames++;
        rssiSum += rssi;
        reported.rssi_dbm_last = Math.round(rssi * 10) / 10;
        const gps = body.subarray(SND_HEADER);
        if (!firstGps) {
          firstGps = { last_gps_solution: gps[0]!, gpssec: gps.readUInt32LE(2), gpsnsec: gps.readUInt32LE(6) };
        }
        const iq = body.subarray(SND_HEADER + GPS_HEADER);
        session.write(iq.length >> 2, (out, at, n) => {
          for (let k = 0; k < 2 * n; k++) out[at + k] = iq.readInt16BE(2 * k) / 32768;
        });
      };

      ws.on('open', () => send(`SET auth t=kiwi p=${password ?? ''}`));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!session.active || !isBinary || data.length < 3) return;
        const tag = data.toString('latin1', 0, 3);
        if (tag === 'MSG') {
          for (const [name, value] of parseKiwiMsg(data.toString('utf8', 4))) {
            onParam(name, value === null ? null : decodeURIComponent(value));
            if (!session.active) return;
          }
        } else if (tag === 'SND') onSound(data.subarray(3));
      });
      ws.on('unexpected-response', (_r, res) => session.fail(`the receiver answered HTTP ${res.statusCode}`));
      ws.on('error', (err: NodeJS.ErrnoException) => session.fail(`connection failed: ${err.code ?? err.message}`));
      ws.on('close', () => session.closed('the receiver closed the connection'));

      return session.done.then(() => {
        const { samples, captureMs } = session.result();
        return {
          samples,
          sampleRate: rate,
          startedAt: session.startedAt,
          endedAt: new Date(),
          setupMs: session.setupMs,
          captureMs,
          reported: {
            ...reported,
            sound_frames: frames,
            missed_frames: missedFrames,
            rssi_dbm_mean: frames ? Math.round((rssiSum / frames) * 10) / 10 : null,
            gps_time_first_frame: firstGps ?? null,
            scale: 'int16 / 32768',
          },
        };
      });
    },
  };
}
