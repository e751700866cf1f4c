import { seedUser } from './seed';
import type { Stack } from './stack';

const OTP_IN_MAIL = /\b(\d{6})\b/;

export interface ApiSession {
  token: string;
  userId: string;
  email: string;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Signs in through the running ui-api like a script would: request a code, read it from the SMTP
 * capture, verify. The token and the code are added to the stack's secrets for the log scan.
 */
export async function loginViaApi(stack: Stack, email: string, role: 'user' | 'admin' = 'user'): Promise<ApiSession> {
  const user = await seedUser(stack.pool, email, role);
  const mark = stack.smtp.messages.length;
  const requested = await call(stack, {
    method: 'POST',
    path: '/api/v1/auth/otp/request',
    json: { email: user.email },
  });
  if (requested.status !== 202) throw new Error(`otp request: ${requested.status} ${JSON.stringify(requested.body)}`);
  const mail = await stack.smtp.waitFor(
    (m) => stack.smtp.messages.indexOf(m) >= mark && m.to.includes(user.email) && OTP_IN_MAIL.test(m.text),
  );
  const code = OTP_IN_MAIL.exec(mail.text)![1]!;
  stack.secrets.add(code);
  const verified = await call<{ token: string }>(stack, {
    method: 'POST',
    path: '/api/v1/auth/otp/verify',
    json: { email: user.email, code },
  });
  if (verified.status !== 200) throw new Error(`otp verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  stack.secrets.add(verified.body.token);
  return { token: verified.body.token, userId: user.id, email: user.email };
}

export interface CallOptions {
  method?: string;
  path: string;
  token?: string;
  json?: unknown;
}

/** One JSON request to the stack's ui-api; redirects are not followed, so a 302 is visible. */
export async function call<T = unknown>(stack: Stack, options: CallOptions): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(options.path, stack.uiUrl()), {
    method: options.method ?? 'GET',
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (a redirect or an HTML page): keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export interface ExportBody {
  format: 'csv' | 'ndjson' | 'xlsx';
  from: string;
  to: string;
  deviceIds?: string[];
}

/** POST /api/v1/exports; returns the status and, on 202, the export id. */
export async function requestExport(
  stack: Stack,
  token: string,
  body: ExportBody,
): Promise<{ status: number; id?: string }> {
  const res = await call<{ id?: string }>(stack, { method: 'POST', path: '/api/v1/exports', token, json: body });
  return { status: res.status, id: res.status === 202 ? res.body.id : undefined };
}
