import type { XeroSettings } from './schemas.ts'

/**
 * Xero's hosts, or `baseUrl` + the same path for each when one is set (a proxy or a fake, so
 * one host stands in for all of them).
 */
const on = (settings: Partial<XeroSettings>, host: string, path: string): string =>
  `${settings.baseUrl ? settings.baseUrl.replace(/\/+$/, '') : host}${path}`

export const hosts = {
  authorize: (s: Partial<XeroSettings>) =>
    on(s, 'https://login.xero.com', '/identity/connect/authorize'),
  token: (s: Partial<XeroSettings>) => on(s, 'https://identity.xero.com', '/connect/token'),
  connections: (s: Partial<XeroSettings>) => on(s, 'https://api.xero.com', '/connections'),
  accounting: (s: Partial<XeroSettings>) => on(s, 'https://api.xero.com', '/api.xro/2.0'),
}

/** Read-only access to contacts, and a refresh token (offline_access). */
export const scopes = 'offline_access accounting.contacts.read'
