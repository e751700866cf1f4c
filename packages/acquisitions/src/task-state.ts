import type { AcquisitionState } from '@pulse/db';

/**
 * The states as the API has always published them (OpenAPI `taskStatus.state`, the UI, scripts): the
 * database and the code use upper case throughout, the API keeps `queued` and `running` in lower case so
 * no client breaks.
 */
export const API_STATES = ['queued', 'running', 'SUCCESS', 'PARTIAL_FAILURE', 'FAILED', 'CANCELLED'] as const;
export type ApiState = (typeof API_STATES)[number];

export function apiState(state: AcquisitionState): ApiState {
  if (state === 'QUEUED') return 'queued';
  if (state === 'RUNNING') return 'running';
  return state;
}
