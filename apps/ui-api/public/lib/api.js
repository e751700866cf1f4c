// The one way the UI talks to the API: JSON in and out, the CSRF header on every call,
// and `{error: {code, message}}` answers turned into thrown ApiErrors.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** `api('GET', '/api/v1/me')`, `api('POST', '/api/v1/exports', {...})`; resolves to the JSON body (null for 204). */
export async function api(method, path, body) {
  const headers = { 'X-Requested-With': 'pulse', Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = data?.error ?? {};
    if (res.status === 401) window.dispatchEvent(new CustomEvent('pulse:unauthorized'));
    throw new ApiError(res.status, err.code ?? 'http_error', err.message ?? `request failed (${res.status})`);
  }
  return data;
}
