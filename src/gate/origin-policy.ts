/**
 * Which Origins and Host headers this server answers to. Exact, serialized matches only:
 * no wildcards, no suffix or substring matching, `null` never (CSWSH and DNS rebinding defences).
 */
import type { Config } from '../config/schema.js';

export interface OriginPolicy {
  readonly origins: ReadonlySet<string>;
  readonly hosts: ReadonlySet<string>;
  isAllowedOrigin(origin: string): boolean;
  isAllowedHost(host: string): boolean;
}

/** What a browser sends as a real origin; `null` (sandboxed frames, file:) never matches. */
const ORIGIN_SHAPE = /^https?:\/\/[^/\s]+$/;

const loopbackNames = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');
}

/**
 * Builds the policy once the listening port is known (port 0 resolves late).
 * Throws when the server listens beyond loopback without saying which name it is reached by:
 * accepting any Host there would re-open DNS rebinding.
 */
export function buildOriginPolicy(config: Config, port: number, scheme: 'http' | 'https'): OriginPolicy {
  const origins = new Set<string>(config.allowedOrigins.map((o) => o.toLowerCase()));
  const hosts = new Set<string>(config.allowedHosts.map((h) => h.toLowerCase()));
  if (config.publicUrl) {
    const url = new URL(config.publicUrl);
    origins.add(url.origin.toLowerCase());
    if (config.allowedHosts.length === 0) hosts.add(url.host.toLowerCase());
  }
  if (isLoopbackHost(config.host)) {
    for (const name of loopbackNames) {
      const hostPort = `${name}:${port}`;
      if (!config.publicUrl) origins.add(`${scheme}://${hostPort}`);
      if (config.allowedHosts.length === 0) hosts.add(hostPort);
    }
  } else if (hosts.size === 0) {
    throw new Error(
      `listening on ${config.host} needs publicUrl or allowedHosts, so that requests for other host names (DNS rebinding) are refused`,
    );
  }
  const anyOrigin = config.dangerouslyAllowAnyOrigin;
  return {
    origins,
    hosts,
    isAllowedOrigin: (origin) => origins.has(origin.toLowerCase()) || (anyOrigin && ORIGIN_SHAPE.test(origin)),
    isAllowedHost: (host) => hosts.has(host.toLowerCase()),
  };
}
