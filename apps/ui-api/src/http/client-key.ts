import ipaddr from 'ipaddr.js';

/**
 * The key a client is rate-limited under: its IPv4 address, or its IPv6 /64. An IPv6 host gets a
 * whole /64 from its provider and may pick a fresh address in it per request (privacy addresses),
 * so limiting single IPv6 addresses would limit nothing. `req.ip` is already the address Express
 * derived under TRUST_PROXY (the configured hops or CIDRs, never the client-chosen leftmost entry).
 */
export function clientKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const parsed = ipaddr.process(ip); // IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes plain IPv4
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}
