import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { S3Config } from '@pulse/config';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export type CredentialSource = 'static' | 'default-chain';

/**
 * One credential provider for every client and the presigner: static keys when configured, else the
 * SDK's default chain (env incl. AWS_SESSION_TOKEN, shared config/profile/SSO, web identity, ECS
 * container credentials, EC2 instance metadata). Memoized the way the SDK memoizes its own: temporary
 * credentials are fetched again once they are within five minutes of expiring, so presigned URLs are
 * never signed with credentials about to end, and all clients share one fetch.
 */
export function credentialProvider(config: S3Config): {
  provider: AwsCredentialIdentityProvider;
  source: CredentialSource;
} {
  if (config.credentials) {
    const fixed: AwsCredentialIdentity = { ...config.credentials };
    return { provider: async () => fixed, source: 'static' };
  }
  const chain = defaultProvider();
  // The chain caches what it found until the moment it expires; forceRefresh makes it fetch anew, and
  // the memoization around it asks for that only in the last five minutes (coalesced across callers).
  const provider = memoizeIdentityProvider(
    () => chain({ forceRefresh: true }),
    isIdentityExpired,
    doesIdentityRequireRefresh,
  );
  if (!provider) throw new Error('no credential provider');
  return { provider, source: 'default-chain' };
}
