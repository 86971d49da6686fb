import dns, { type LookupAddress, type LookupOptions } from 'node:dns'
import { BlockList, isIP, Socket } from 'node:net'

/**
 * Where Roster's server never sends a request, whoever asks: link-local addresses and the cloud
 * metadata services that live there (they hand out the machine's credentials). A connection's
 * base URL is checked against this rule when it is saved, and every address a host name
 * resolves to is checked again when the call is made (`guardOutboundLookups`), so a name that
 * resolves to a public address when saved and to 169.254.169.254 later (DNS rebinding) is
 * refused before anything is sent.
 */
const forbiddenAddresses = new BlockList()
// IPv4 link-local; 169.254.169.254 is the metadata service of AWS, Google Cloud and Azure.
forbiddenAddresses.addSubnet('169.254.0.0', 16, 'ipv4')
// IPv6 link-local.
forbiddenAddresses.addSubnet('fe80::', 10, 'ipv6')
// AWS's metadata service over IPv6, Alibaba Cloud's and Oracle Cloud's.
forbiddenAddresses.addAddress('fd00:ec2::254', 'ipv6')
forbiddenAddresses.addAddress('100.100.100.200', 'ipv4')
forbiddenAddresses.addAddress('192.0.0.192', 'ipv4')
// The same IPv4 addresses reached through NAT64.
forbiddenAddresses.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6')

/** Names of metadata services, which resolve to such an address inside their cloud. */
const forbiddenNames = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
])

/** Whether an IP address is link-local or a cloud metadata address (IPv4-mapped ones too). */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  return forbiddenAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** A URL's host without IPv6 brackets or a trailing dot, in lower case. */
function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase()
}

/**
 * Why Roster's server will not call this URL, or null when it may: an http(s) address whose
 * host is neither a link-local or metadata address nor a metadata service's name.
 */
export function outboundRefusal(value: string): string | null {
  if (!URL.canParse(value)) return 'is not a URL'
  const url = new URL(value)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https://'
  if (url.username !== '' || url.password !== '') return 'must not hold a user name or password'
  const host = hostOf(url)
  if (isForbiddenAddress(host) || forbiddenNames.has(host)) {
    return 'points at a link-local or cloud metadata address, which Roster never calls'
  }
  return null
}

/** The error a refused address gives the caller, as a failed DNS lookup would. */
export class ForbiddenAddressError extends Error {
  readonly code = 'EADDRNOTAVAIL'

  constructor(host: string) {
    super(`${host} resolves to a link-local or cloud metadata address, which Roster never calls`)
    this.name = 'ForbiddenAddressError'
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void
type Lookup = (host: string, options: LookupOptions, callback: LookupCallback) => void

/**
 * `lookup`, refusing a host when any address it resolves to is forbidden (an IP literal as
 * well as a name). Given to `guardOutboundLookups`, and usable alone as the `lookup` of a
 * socket or an HTTP agent.
 */
export function guardedLookup(lookup: Lookup): Lookup {
  return (host, options, callback) => {
    if (forbiddenNames.has(host.replace(/\.$/, '').toLowerCase())) {
      callback(new ForbiddenAddressError(host), options.all ? [] : '')
      return
    }
    lookup(host, options, (error, address, family) => {
      if (error) {
        callback(error, address, family)
        return
      }
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address]
      if (addresses.some(isForbiddenAddress)) {
        callback(new ForbiddenAddressError(host), options.all ? [] : '')
        return
      }
      callback(null, address, family)
    })
  }
}

let guarded = false

/**
 * Makes every outbound connection of this process resolve its host through `guardedLookup`:
 * Node's `fetch`, `http`, `https` and the SDKs built on them (Stripe, Xero, Intuit…) all look
 * host names up with `dns.lookup` when they connect, so the check runs after any redirect and
 * at each call, never on a stale answer. An IP address is never looked up, so a socket asked
 * to connect to a forbidden one (a redirect to `http://169.254.169.254/`) is refused as well,
 * before it connects. Called once when a Roster process starts.
 */
export function guardOutboundLookups(): void {
  if (guarded) return
  guarded = true
  const lookup = dns.lookup.bind(dns) as unknown as Lookup
  const guard = guardedLookup(lookup)
  dns.lookup = ((host: string, options: unknown, callback?: unknown) => {
    const [opts, done] =
      typeof options === 'function'
        ? [{}, options as LookupCallback]
        : [
            typeof options === 'number' ? { family: options } : ((options ?? {}) as LookupOptions),
            callback as LookupCallback,
          ]
    guard(host, opts, done)
  }) as typeof dns.lookup

  // `net.connect`, `tls.connect` and every HTTP client end in `Socket.prototype.connect`.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its socket below
  const connect = Socket.prototype.connect as (this: Socket, ...args: unknown[]) => Socket
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]): Socket {
    const host = connectHost(args)
    if (host !== undefined && isForbiddenAddress(host)) {
      // As a failed lookup does: the socket ends with the error, never having connected.
      process.nextTick(() => {
        this.destroy(new ForbiddenAddressError(host))
      })
      return this
    }
    return connect.apply(this, args)
  }
}

/**
 * The host a `Socket.prototype.connect` call names, in any of its forms: `(options, …)`,
 * `(port, host, …)`, or the argument list `net.connect` hands over; none for a local path.
 */
function connectHost(args: unknown[]): string | undefined {
  const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args
  if (typeof first === 'object' && first !== null) {
    const host = (first as { host?: unknown }).host
    return typeof host === 'string' ? host.replace(/^\[(.*)\]$/, '$1') : undefined
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof second === 'string' ? second.replace(/^\[(.*)\]$/, '$1') : undefined
  }
  return undefined
}

/**
 * Addresses inside a network: this machine, the private ranges, shared address space and unique
 * local IPv6. Outbound webhooks, whose URL any organisation's admin chooses, never go there
 * outside development (ROSTER_WEBHOOK_ALLOW_LOCAL=1); link-local and metadata addresses never.
 */
const internalAddresses = new BlockList()
internalAddresses.addSubnet('0.0.0.0', 8, 'ipv4')
internalAddresses.addSubnet('10.0.0.0', 8, 'ipv4')
internalAddresses.addSubnet('100.64.0.0', 10, 'ipv4')
internalAddresses.addSubnet('127.0.0.0', 8, 'ipv4')
internalAddresses.addSubnet('172.16.0.0', 12, 'ipv4')
internalAddresses.addSubnet('192.168.0.0', 16, 'ipv4')
internalAddresses.addSubnet('198.18.0.0', 15, 'ipv4')
internalAddresses.addAddress('::', 'ipv6')
internalAddresses.addAddress('::1', 'ipv6')
internalAddresses.addSubnet('fc00::', 7, 'ipv6')

/** Whether an IP address is this machine's or a private network's (IPv4-mapped ones too). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  if (mapped) return internalAddresses.check(mapped, 'ipv4') || isForbiddenAddress(mapped)
  return internalAddresses.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost')

/**
 * Why an outbound webhook may not be posted to this URL, or null: https only, and not inside the
 * network, unless `allowLocal` (development); never a link-local or metadata address. The host's
 * addresses are looked up too (and again at each delivery, by `webhookLookup`).
 */
export async function webhookUrlRefusal(
  value: string,
  options: {
    allowLocal: boolean
    /** Every address of a host name (dns.promises.lookup with `all`, unless a test gives one). */
    lookup?: (host: string) => Promise<LookupAddress[]>
  },
): Promise<string | null> {
  const refusal = outboundRefusal(value)
  if (refusal) return refusal
  const url = new URL(value)
  if (options.allowLocal) return null
  if (url.protocol !== 'https:') return 'must start with https://'
  const host = hostOf(url)
  const inside =
    'points inside the network (this machine or a private address), which Roster never calls'
  if (isLocalName(host) || isInternalAddress(host)) return inside
  if (isIP(host) !== 0) return null
  let addresses: LookupAddress[]
  try {
    addresses = await (options.lookup ?? ((name) => dns.promises.lookup(name, { all: true })))(host)
  } catch {
    return `names a host that cannot be found (${host}): check the address`
  }
  if (addresses.some((a) => isForbiddenAddress(a.address))) {
    return 'points at a link-local or cloud metadata address, which Roster never calls'
  }
  if (addresses.some((a) => isInternalAddress(a.address))) return inside
  return null
}

/** Refused at delivery: the host now resolves inside the network. */
export class InternalAddressError extends Error {
  readonly code = 'EADDRNOTAVAIL'

  constructor(host: string) {
    super(`${host} resolves to an address inside the network, which Roster never calls`)
    this.name = 'InternalAddressError'
  }
}

/**
 * The `lookup` of an outbound webhook's request: `guardedLookup`, and, unless `allowLocal`, no
 * address inside the network either (the name may resolve elsewhere than when it was saved).
 */
export function webhookLookup(allowLocal: boolean): Lookup {
  const guard = guardedLookup(dns.lookup.bind(dns))
  if (allowLocal) return guard
  return (host, options, callback) => {
    guard(host, options, (error, address, family) => {
      if (error) {
        callback(error, address, family)
        return
      }
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address]
      if (isLocalName(host.toLowerCase()) || addresses.some(isInternalAddress)) {
        callback(new InternalAddressError(host), options.all ? [] : '')
        return
      }
      callback(null, address, family)
    })
  }
}
