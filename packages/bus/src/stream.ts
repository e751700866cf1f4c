import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  NatsError,
  nanos,
  RetentionPolicy,
  type StreamConfig,
  StorageType,
} from 'nats';

export interface StreamSettings {
  name: string;
  /** e.g. `pulse.>` */
  subjects: string[];
  /** Nats-Msg-Id dedup window. */
  duplicateWindowMs: number;
  maxAgeMs: number;
}

function isNotFound(err: unknown): boolean {
  // 10059 stream not found, 10014 consumer not found
  const code = err instanceof NatsError ? err.api_error?.err_code : undefined;
  return code === 10059 || code === 10014;
}

/** Creates the stream, or brings an existing one to these settings; safe for many replicas at start-up. */
export async function ensureStream(jsm: JetStreamManager, settings: StreamSettings): Promise<void> {
  const config: Partial<StreamConfig> = {
    subjects: settings.subjects,
    duplicate_window: nanos(settings.duplicateWindowMs),
    max_age: nanos(settings.maxAgeMs),
  };
  try {
    await jsm.streams.info(settings.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add({
        ...config,
        name: settings.name,
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
      });
      return;
    } catch (addErr) {
      // Another replica created it between our info and add: fall through to update.
      if (!(addErr instanceof NatsError && addErr.api_error?.err_code === 10058)) throw addErr;
    }
  }
  await jsm.streams.update(settings.name, config);
}

export interface ConsumerSettings {
  stream: string;
  durable: string;
  filterSubject: string;
  /** Deliveries the server allows (the consumer gives up one earlier; see consume.ts). */
  maxDeliver: number;
  ackWaitMs: number;
}

/** Creates the durable pull consumer, or updates the settings that may change between deploys. */
export async function ensureConsumer(jsm: JetStreamManager, settings: ConsumerSettings): Promise<void> {
  const mutable = { max_deliver: settings.maxDeliver, ack_wait: nanos(settings.ackWaitMs) };
  try {
    const info = await jsm.consumers.info(settings.stream, settings.durable);
    const filter =
      info.config.filter_subject === settings.filterSubject ? {} : { filter_subject: settings.filterSubject };
    await jsm.consumers.update(settings.stream, settings.durable, { ...mutable, ...filter });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const config: Partial<ConsumerConfig> = {
      ...mutable,
      durable_name: settings.durable,
      filter_subject: settings.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    };
    // Creating an identical durable is idempotent on the server, so racing replicas both succeed.
    await jsm.consumers.add(settings.stream, config);
  }
}
