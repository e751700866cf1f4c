import type { Subject } from '@pulse/messages';

/** Subject names on the wire: the configured prefix keeps environments (and test runs) apart. */
export interface SubjectNames {
  prefix: string;
  full(subject: Subject): string;
  /** Where given-up messages go; inside the stream, so they are kept (max_age) for inspection or replay. */
  dead(subject: Subject): string;
  /** Strips the prefix; undefined for subjects outside it. */
  local(wire: string): string | undefined;
}

export function subjectNames(prefix: string): SubjectNames {
  return {
    prefix,
    full: (subject) => `${prefix}.${subject}`,
    dead: (subject) => `${prefix}.dead.${subject}`,
    local: (wire) => (wire.startsWith(`${prefix}.`) ? wire.slice(prefix.length + 1) : undefined),
  };
}
