export { ConfigError, loadConfig, loadConfigOrExit, type ConfigOf, type ConfigShape, type Env } from './load';
export * from './schemas';
export * from './signing-keys';
export { z } from 'zod';
