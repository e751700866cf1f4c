import { z } from '@pulse/config';

export const RECEIVER_KINDS = ['kiwisdr', 'rtl_tcp', 'synthetic'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/** Ids name the receiver's files (`websdr_{id}.npy`): the conservative alphabet of S3-safe key segments. */
export const RECEIVER_ID = /^[A-Za-z0-9._-]{1,64}$/;

// A DNS name or an IPv4 address; no scheme, path or credentials (those would end up in logs).
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** Where the worker finds a receiver's password: the name of an environment variable, never the password. */
export const PASSWORD_REF = /^env:[A-Z_][A-Z0-9_]{0,127}$/;

/** What each kind covers when the admin does not say: KiwiSDR is an HF receiver with a fixed rate
 *  (12 kHz, 20.25 kHz on some hardware); an RTL-SDR tunes 24 MHz … 1.766 GHz at up to 3.2 MS/s. */
export const KIND_DEFAULTS: Record<
  ReceiverKind,
  { minFrequencyHz: number; maxFrequencyHz: number; maxSampleRate: number }
> = {
  kiwisdr: { minFrequencyHz: 0, maxFrequencyHz: 30_000_000, maxSampleRate: 20_250 },
  rtl_tcp: { minFrequencyHz: 24_000_000, maxFrequencyHz: 1_766_000_000, maxSampleRate: 3_200_000 },
  synthetic: { minFrequencyHz: 100_000, maxFrequencyHz: 30_000_000, maxSampleRate: 2_400_000 },
};

const frequency = z.number().int().min(0).max(6_000_000_000);

/** Every field an admin may set; `id` only on create (it names files already stored). */
const fields = {
  name: z.string().trim().min(1).max(100),
  kind: z.enum(RECEIVER_KINDS),
  host: z.string().regex(HOSTNAME, 'a host name or IPv4 address, without scheme or port').nullable(),
  port: z.number().int().min(1).max(65_535).nullable(),
  passwordRef: z.string().regex(PASSWORD_REF, 'a secret reference such as env:KIWI_PASSWORD').nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  minFrequencyHz: frequency,
  maxFrequencyHz: frequency,
  maxSampleRate: z.number().int().min(1_000).max(3_200_000),
  enabled: z.boolean(),
};

/** A complete registry entry, as stored (after defaults and a patch are applied). */
export const receiverSettings = z.strictObject(fields).superRefine((r, ctx) => {
  const network = r.kind !== 'synthetic';
  for (const key of ['host', 'port'] as const) {
    if (network && r[key] === null) ctx.addIssue({ code: 'custom', path: [key], message: `required for ${r.kind}` });
    if (!network && r[key] !== null)
      ctx.addIssue({ code: 'custom', path: [key], message: 'synthetic receivers have no address' });
  }
  if (r.passwordRef !== null && r.kind !== 'kiwisdr') {
    ctx.addIssue({ code: 'custom', path: ['passwordRef'], message: 'only KiwiSDR receivers take a password' });
  }
  if ((r.latitude === null) !== (r.longitude === null)) {
    ctx.addIssue({ code: 'custom', path: ['longitude'], message: 'latitude and longitude go together' });
  }
  if (r.minFrequencyHz >= r.maxFrequencyHz) {
    ctx.addIssue({ code: 'custom', path: ['maxFrequencyHz'], message: 'must be above minFrequencyHz' });
  }
});
export type ReceiverSettings = z.output<typeof receiverSettings>;

/** POST body: id, name and kind are required; the rest defaults (address fields to none, ranges by kind). */
export const receiverCreate = z.strictObject({
  id: z.string().regex(RECEIVER_ID, 'letters, digits, ".", "_" or "-", at most 64'),
  ...fields,
  host: fields.host.optional(),
  port: fields.port.optional(),
  passwordRef: fields.passwordRef.optional(),
  latitude: fields.latitude.optional(),
  longitude: fields.longitude.optional(),
  minFrequencyHz: frequency.optional(),
  maxFrequencyHz: frequency.optional(),
  maxSampleRate: fields.maxSampleRate.optional(),
  enabled: fields.enabled.optional(),
});
export type ReceiverCreate = z.output<typeof receiverCreate>;

/** PATCH body: any subset of the settings (at least one); `null` clears an optional field. */
export const receiverPatch = z
  .strictObject(fields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type ReceiverPatch = z.output<typeof receiverPatch>;

/** A create request with every default filled in, ready for `receiverSettings`. */
export function withDefaults(input: ReceiverCreate): ReceiverSettings {
  const d = KIND_DEFAULTS[input.kind];
  return {
    name: input.name,
    kind: input.kind,
    host: input.host ?? null,
    port: input.port ?? null,
    passwordRef: input.passwordRef ?? null,
    latitude: input.latitude ?? null,
    longitude: input.longitude ?? null,
    minFrequencyHz: input.minFrequencyHz ?? d.minFrequencyHz,
    maxFrequencyHz: input.maxFrequencyHz ?? d.maxFrequencyHz,
    maxSampleRate: input.maxSampleRate ?? d.maxSampleRate,
    enabled: input.enabled ?? true,
  };
}
