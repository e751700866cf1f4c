import type { UserRole } from '@pulse/db';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  sessionId: string;
  /** How the request authenticated: cookie requests need CSRF protection, bearer ones don't. */
  via: 'cookie' | 'bearer';
}

declare global {
  namespace Express {
    interface Request {
      id: string;
      user?: AuthUser;
    }
  }
}
