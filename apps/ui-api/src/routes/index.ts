import type { Router } from 'express';
import type { AppDeps } from '../deps';
import { authRoutes } from './auth';

/**
 * Every feature's router, mounted in order by createApp. A feature adds one line here;
 * routes register through `route()` so validation and the OpenAPI document stay in step.
 */
export const routeModules: Array<(deps: AppDeps) => Router> = [authRoutes];
