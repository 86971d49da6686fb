import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer } from '../../src/platform/http/server.ts'
import { testStore } from '../support.ts'

const store = await testStore()
const logs: string[] = []
const hash = 'scrypt$16384$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo'
const email = 'elodie.durand@example.com'

const app = await createServer({
  logger: { level: 'info', stream: { write: (line) => logs.push(line) } },
  routes: (server) => {
    // Statements that fail on the server, bound to what a log must never hold.
    server.get('/cast', async () => store.db.execute(sql`select ${hash}::int as n`))
    server.get('/unique', async () =>
      store.db.transaction(async (tx) => {
        await tx.execute(sql`create temporary table probe (email text primary key) on commit drop`)
        await tx.execute(sql`insert into probe values (${email})`)
        return tx.execute(sql`insert into probe values (${email})`)
      }),
    )
    return Promise.resolve()
  },
})
beforeAll(() => app.ready())
afterAll(() => app.close())

describe('a database error in the server log', () => {
  it('names the statement and the reason, never the values bound to it or quoted by the server', async () => {
    for (const url of ['/cast', '/unique']) {
      const res = await app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(500)
      expect(res.body).not.toContain('Failed query')
    }
    const log = logs.join('\n')
    expect(log).toContain(
      'Failed query (invalid input syntax for type integer: \\"…\\"): select $1::int',
    )
    expect(log).toContain('"code":"23505"')
    expect(log).toContain('"constraint":"probe_pkey"')
    expect(log).not.toContain(hash)
    expect(log).not.toContain('scrypt')
    expect(log).not.toContain(email)
    expect(log).not.toContain('params')
  })
})
