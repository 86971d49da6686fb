import { page } from '@contracts/common.ts'
import {
  accountMatches,
  connection,
  consentChoice,
  consentRedirect,
  connectorDescriptor,
  contactSource,
  syncRun,
  type AccountMatches,
  type Connection,
  type ConnectionCreate,
  type ConnectionPatch,
  type ConsentChoice,
  type ConsentStart,
  type ConnectorDescriptor,
  type ContactSource,
  type SyncRun,
} from '@contracts/sources.ts'
import { z } from 'zod'
import { api } from '../../../platform/api.ts'

export type {
  AccountMatches,
  Connection,
  ConnectionCreate,
  ConnectionPatch,
  ConsentChoice,
  ConsentStart,
  ConnectorDescriptor,
  ContactSource,
  SyncRun,
}

const connectionList = z.object({ data: z.array(connection) })
const connectorList = z.object({ data: z.array(connectorDescriptor) })
const runPage = page(syncRun)
export type RunPage = z.infer<typeof runPage>

export const fetchConnections = async (): Promise<Connection[]> =>
  (await api('/connections', { schema: connectionList })).data

/** The systems the server has a connector for, with the fields each one takes. */
export const fetchConnectors = async (): Promise<ConnectorDescriptor[]> =>
  (await api('/connectors', { schema: connectorList })).data

export const createConnection = (input: ConnectionCreate): Promise<Connection> =>
  api('/connections', { method: 'POST', body: input, schema: connection })

export const updateConnection = (id: string, patch: ConnectionPatch): Promise<Connection> =>
  api(`/connections/${id}`, { method: 'PATCH', body: patch, schema: connection })

export const removeConnection = async (id: string): Promise<void> => {
  await api(`/connections/${id}`, { method: 'DELETE' })
}

export const syncConnection = (id: string, full: boolean): Promise<SyncRun> =>
  api(`/connections/${id}/sync`, { method: 'POST', body: { full }, schema: syncRun })

export const fetchRuns = (id: string, cursor: string | null, limit: number): Promise<RunPage> =>
  api(`/connections/${id}/runs`, { query: { cursor, limit }, schema: runPage })

export const fetchContactSource = (): Promise<ContactSource> =>
  api('/organization/contact-source', { schema: contactSource })

export const setContactSource = (connectionId: string): Promise<ContactSource> =>
  api('/organization/contact-source', {
    method: 'PUT',
    body: { connectionId },
    schema: contactSource,
  })

export const disconnectContacts = (confirm: string): Promise<ContactSource> =>
  api('/organization/contact-source/disconnect', {
    method: 'POST',
    body: { confirm },
    schema: contactSource,
  })

/** Opens a consent: the system's consent page to send the browser to. */
export const startConsent = async (input: ConsentStart): Promise<string> =>
  (await api('/connections/consent', { method: 'POST', body: input, schema: consentRedirect }))
    .authorizeUrl

export const fetchConsentChoice = (id: string): Promise<ConsentChoice> =>
  api(`/connections/consent/${id}/tenants`, { schema: consentChoice })

export const pickTenant = (id: string, tenantId: string): Promise<Connection> =>
  api(`/connections/consent/${id}/tenant`, {
    method: 'POST',
    body: { tenantId },
    schema: connection,
  })

/** How a contact source's accounts match the customers (Salesforce). */
export const fetchMatches = (connectionId: string): Promise<AccountMatches> =>
  api(`/connections/${connectionId}/matches`, { schema: accountMatches })

/** An admin confirms a name match; a full run then brings the account's contacts. */
export const confirmMatch = (input: {
  connectionId: string
  customerId: string
  accountId: string
}): Promise<AccountMatches> =>
  api(`/connections/${input.connectionId}/matches`, {
    method: 'POST',
    body: { customerId: input.customerId, accountId: input.accountId },
    schema: accountMatches,
  })
