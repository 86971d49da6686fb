import type { LookupAddress } from 'node:dns'
import { describe, expect, it } from 'vitest'
import {
  isInternalAddress,
  webhookLookup,
  webhookUrlRefusal,
} from '../../src/platform/http/outbound.ts'

const resolvingTo =
  (...addresses: string[]) =>
  (): Promise<LookupAddress[]> =>
    Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    )

describe('where outbound webhooks may go', () => {
  it('knows the addresses inside a network, IPv4-mapped ones too', () => {
    for (const address of [
      '127.0.0.1',
      '10.2.3.4',
      '172.20.0.1',
      '192.168.1.1',
      '::1',
      'fd12::1',
    ]) {
      expect(isInternalAddress(address)).toBe(true)
    }
    expect(isInternalAddress('::ffff:10.0.0.1')).toBe(true)
    expect(isInternalAddress('93.184.216.34')).toBe(false)
    expect(isInternalAddress('2606:4700::1111')).toBe(false)
  })

  it('refuses a host name that resolves inside the network or to a metadata address', async () => {
    const rules = { allowLocal: false }
    expect(
      await webhookUrlRefusal('https://hooks.example.com/x', {
        ...rules,
        lookup: resolvingTo('93.184.216.34'),
      }),
    ).toBeNull()
    expect(
      await webhookUrlRefusal('https://hooks.example.com/x', {
        ...rules,
        lookup: resolvingTo('93.184.216.34', '10.0.0.7'),
      }),
    ).toContain('inside the network')
    expect(
      await webhookUrlRefusal('https://hooks.example.com/x', {
        ...rules,
        lookup: resolvingTo('169.254.169.254'),
      }),
    ).toContain('metadata')
    expect(
      await webhookUrlRefusal('https://nowhere.invalid/x', {
        ...rules,
        lookup: () => Promise.reject(new Error('ENOTFOUND')),
      }),
    ).toContain('cannot be found')
    expect(await webhookUrlRefusal('http://127.0.0.1:9/x', { allowLocal: true })).toBeNull()
    expect(await webhookUrlRefusal('http://169.254.169.254/', { allowLocal: true })).toContain(
      'metadata',
    )
  })

  it('refuses at connection time a name that now resolves inside the network', async () => {
    const lookup = webhookLookup(false)
    const error = await new Promise<Error | null>((resolve) => {
      lookup('localhost', {}, (e) => {
        resolve(e)
      })
    })
    expect(error?.message).toContain('inside the network')
    const allowed = await new Promise<Error | null>((resolve) => {
      webhookLookup(true)('localhost', {}, (e) => {
        resolve(e)
      })
    })
    expect(allowed).toBeNull()
  })
})
