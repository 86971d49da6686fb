import { mkdtemp, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, eq } from 'drizzle-orm'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { jobs } from '../../src/app/jobs.ts'
import {
  discardAbandonedImports,
  discardAbandonedImportsJob,
} from '../../src/modules/imports/imports.job.ts'
import { createImport, setMapping, startImport } from '../../src/modules/imports/imports.service.ts'
import { listNotifications } from '../../src/modules/notifications/notifications.service.ts'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { importLines, imports } from '../../src/platform/db/schema/index.ts'
import { client, json, newMember, newOrg, testApp, testQueue, testStore } from '../support.ts'
import { apiCall, importFile, upload, waitForImport } from './helpers.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

async function setup() {
  const org = await newOrg(store)
  return { org, api: { app, key: org.key }, http: client(app, org.key) }
}

async function contactsOf(http: ReturnType<typeof client>) {
  const list = json(await http.get('/api/v1/customers?limit=200')).data as any[]
  const all = await Promise.all(
    list.map(async (c) =>
      (json(await http.get(`/api/v1/customers/${c.id}/contacts`)).data as any[]).map((k: any) => [
        c.name,
        k.email,
        k.role,
        k.isMain,
      ]),
    ),
  )
  return all.flat().sort((a, b) => String(a[1]).localeCompare(String(b[1])))
}

const uploadFile = async (api: { app: typeof app; key: string }, content: string) => {
  const uploaded = await upload(api.app, api.key, 'clients.csv', content)
  expect(uploaded.statusCode).toBe(201)
  return json(uploaded)
}

describe('values that map', () => {
  it('imports a French file whole: French role names and main contact flags map on their own', async () => {
    const { api, http } = await setup()
    const file = [
      'Nom du client;Code client;Email du contact;Prénom;Rôle;Contact principal',
      'Dupont SA;C1;anne@dupont.fr;Anne;Comptabilité;oui',
      'Dupont SA;C1;bob@dupont.fr;Bob;compta;non',
      'Dupont SA;C1;carl@dupont.fr;Carl;COMPTABLE;',
      'Martin SARL;C2;dora@martin.fr;Dora;Ventes;Vrai',
      'Martin SARL;C2;eve@martin.fr;Eve;commercial;0',
      'Leroy;C3;fred@leroy.fr;Fred;Achats;x',
      'Leroy;C3;gus@leroy.fr;Gus;Acheteur;no',
      'Petit;C4;hugo@petit.fr;Hugo;Payeur;1',
      'Petit;C4;ines@petit.fr;Inès;paiement;faux',
      'Roux;C5;jean@roux.fr;Jean;Sales;yes',
      'Roux;C5;kim@roux.fr;Kim;PURCHASER;true',
    ].join('\r\n')
    const { dryRun, result } = await importFile(api, file)
    expect(dryRun.dryRun.lines).toMatchObject({ total: 11, rejected: 0 })
    expect(dryRun.unknownValues).toEqual([])
    expect(result.summary.lines).toMatchObject({ total: 11, created: 11, rejected: 0 })
    expect(await contactsOf(http)).toEqual([
      ['Dupont SA', 'anne@dupont.fr', 'ACCOUNTING', true],
      ['Dupont SA', 'bob@dupont.fr', 'ACCOUNTING', false],
      ['Dupont SA', 'carl@dupont.fr', 'ACCOUNTING', false],
      ['Martin SARL', 'dora@martin.fr', 'SALES', true],
      ['Martin SARL', 'eve@martin.fr', 'SALES', false],
      ['Leroy', 'fred@leroy.fr', 'PURCHASER', true],
      ['Leroy', 'gus@leroy.fr', 'PURCHASER', false],
      ['Petit', 'hugo@petit.fr', 'PAYER', true],
      ['Petit', 'ines@petit.fr', 'PAYER', false],
      ['Roux', 'jean@roux.fr', 'SALES', false],
      ['Roux', 'kim@roux.fr', 'PURCHASER', true],
    ])
  })

  it('lists the unknown values, maps them through the API, and remembers them for the next file', async () => {
    const { api, http } = await setup()
    const file = [
      'Nom du client;Email du contact;Rôle',
      'A;a1@a.fr;Trésorerie',
      'A;a2@a.fr;tresorerie',
      'B;b1@b.fr;Direction',
      'B;b2@b.fr;Ventes',
    ].join('\n')
    const preview = await uploadFile(api, file)
    const dry = json(
      await apiCall(api, 'PUT', `/imports/${preview.id}/mapping`, {
        mapping: preview.suggestedMapping,
      }),
    )
    expect(dry.dryRun.lines.rejected).toBe(3)
    expect(dry.unknownValues).toEqual([
      { field: 'contact.role', column: 'Rôle', value: 'Trésorerie', lines: 2 },
      { field: 'contact.role', column: 'Rôle', value: 'Direction', lines: 1 },
    ])
    const listed = json(await apiCall(api, 'GET', `/imports/${preview.id}/unknown-values`))
    expect(listed.data).toEqual(dry.unknownValues)

    const mapped = json(
      await apiCall(api, 'PUT', `/imports/${preview.id}/mapping`, {
        mapping: preview.suggestedMapping,
        valueMap: { 'contact.role': { Trésorerie: 'payer', Direction: null } },
      }),
    )
    expect(mapped.dryRun.lines).toMatchObject({ total: 4, rejected: 0 })
    expect(mapped.unknownValues).toEqual([])
    expect(mapped.valueMap).toEqual({ 'contact.role': { Trésorerie: 'PAYER', Direction: null } })
    expect((await apiCall(api, 'POST', `/imports/${preview.id}/start`, {})).statusCode).toBe(202)
    await waitForImport(api, preview.id)
    expect(await contactsOf(http)).toEqual([
      ['A', 'a1@a.fr', 'PAYER', false],
      ['A', 'a2@a.fr', 'PAYER', false],
      ['B', 'b1@b.fr', null, false],
      ['B', 'b2@b.fr', 'SALES', false],
    ])

    // The organisation's next file maps the same values on its own; the import keeps only those
    // its file used.
    const next = await importFile(api, 'Nom du client;Email du contact;Rôle\nC;c@c.fr;TRESORERIE\n')
    expect(next.dryRun.dryRun.lines).toMatchObject({ created: 1, rejected: 0 })
    expect(next.dryRun.valueMap).toEqual({ 'contact.role': { Trésorerie: 'PAYER' } })
    const other = await newOrg(store)
    const elsewhere = await importFile(
      { app, key: other.key },
      'Nom du client;Email du contact;Rôle\nC;c@c.fr;Trésorerie\n',
    )
    expect(elsewhere.dryRun.dryRun.lines.rejected).toBe(1)
  })

  it('takes a value map on submitting: the lines are checked again with it', async () => {
    const { api, http } = await setup()
    const preview = await uploadFile(api, 'Nom du client;Email du contact;Rôle\nA;a@a.fr;Boss\n')
    await apiCall(api, 'PUT', `/imports/${preview.id}/mapping`, {
      mapping: preview.suggestedMapping,
    })
    const started = await apiCall(api, 'POST', `/imports/${preview.id}/start`, {
      valueMap: { 'contact.role': { boss: 'SALES' } },
    })
    expect(started.statusCode).toBe(202)
    const result = await waitForImport(api, preview.id)
    expect(result.summary.lines).toMatchObject({ created: 1, rejected: 0 })
    expect(await contactsOf(http)).toEqual([['A', 'a@a.fr', 'SALES', false]])
  })

  it('submits without a body, as the web app does', async () => {
    const { api } = await setup()
    const preview = await uploadFile(api, 'Nom du client\nA\n')
    await apiCall(api, 'PUT', `/imports/${preview.id}/mapping`, {
      mapping: preview.suggestedMapping,
    })
    const started = await app.inject({
      method: 'POST',
      url: `/api/v1/imports/${preview.id}/start`,
      headers: { authorization: `Bearer ${api.key}` },
    })
    expect(started.statusCode).toBe(202)
    expect((await waitForImport(api, preview.id)).status).toBe('completed')
  })

  it('refuses a value map naming an unknown role, saying which, and changes nothing', async () => {
    const { api } = await setup()
    const preview = await uploadFile(api, 'Nom du client;Email du contact;Rôle\nA;a@a.fr;Boss\n')
    const refused = await apiCall(api, 'PUT', `/imports/${preview.id}/mapping`, {
      mapping: preview.suggestedMapping,
      valueMap: { 'contact.role': { Boss: 'CHIEF' } },
    })
    expect(refused.statusCode).toBe(400)
    expect(JSON.stringify(json(refused).error)).toContain(
      '\\"CHIEF\\" is not a role; map the value to ACCOUNTING, SALES, PURCHASER or PAYER',
    )
    const unknownField = await apiCall(api, 'PUT', `/imports/${preview.id}/mapping`, {
      mapping: preview.suggestedMapping,
      valueMap: { 'contact.country': { X: 'FR' } },
    })
    expect(unknownField.statusCode).toBe(400)
    const record = json(await apiCall(api, 'GET', `/imports/${preview.id}`))
    expect([record.status, record.mapping, record.valueMap]).toEqual(['uploaded', null, null])
    const onStart = await apiCall(api, 'POST', `/imports/${preview.id}/start`, {
      valueMap: { 'contact.role': { Boss: 'KING' } },
    })
    expect(onStart.statusCode).toBe(400)
    expect(json(await apiCall(api, 'GET', `/imports/${preview.id}`)).status).toBe('uploaded')
  })
})

describe('every error at once', () => {
  it('reports every problem of a line, in the API and in the error file', async () => {
    const { api } = await setup()
    const file = [
      'Nom du client;Email du contact;Rôle;Pays',
      'A;not-an-email;Boss;Atlantis',
      'B;b@b.fr;Ventes;France',
    ].join('\n')
    const { id, dryRun, result } = await importFile(api, file)
    expect(dryRun.dryRun.lines).toMatchObject({ total: 2, rejected: 1, created: 1 })
    expect(result.summary.lines).toMatchObject({ total: 2, rejected: 1, created: 1 })
    const problems = [
      {
        column: 'Pays',
        value: 'Atlantis',
        reason:
          'Country "Atlantis" is not recognised; use a country name (France) or an ISO code (FR).',
      },
      {
        column: 'Email du contact',
        value: 'not-an-email',
        reason: '"not-an-email" is not a valid email address; write it like name@company.com.',
      },
      {
        column: 'Rôle',
        value: 'Boss',
        reason:
          'Role "Boss" is not one of Accounting, Sales, Purchaser, Payer; map it to one of them in the value mapping step, or correct it.',
      },
    ]
    expect(dryRun.rejected).toEqual([{ line: 2, ...problems[0], problems }])
    const lines = json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines`))
    expect(lines.data).toEqual([{ line: 2, ...problems[0], problems }])

    const csv = await app.inject({
      method: 'GET',
      url: `/api/v1/imports/${id}/rejected-lines`,
      headers: { authorization: `Bearer ${api.key}`, accept: 'text/csv' },
    })
    const rows = Papa.parse<string[]>(csv.body.replace(/^\uFEFF/, ''), {
      delimiter: ';',
      skipEmptyLines: true,
    }).data
    expect(rows).toEqual([
      ['Nom du client', 'Email du contact', 'Rôle', 'Pays', 'Error'],
      [
        'A',
        'not-an-email',
        'Boss',
        'Atlantis',
        problems.map((p) => `${p.column}: ${p.reason}`).join(' | '),
      ],
    ])
  })

  it('pages rejected lines by line, every problem of a line on the same page', async () => {
    const { api } = await setup()
    const file = [
      'Nom du client;Email du contact;Rôle',
      'A;bad1;Boss',
      'B;bad2;Boss',
      'C;bad3;Boss',
    ].join('\n')
    const { id } = await importFile(api, file)
    const first = json(await apiCall(api, 'GET', `/imports/${id}/rejected-lines?limit=2`))
    expect(first.data.map((r: any) => [r.line, r.problems.length])).toEqual([
      [2, 2],
      [3, 2],
    ])
    const second = json(
      await apiCall(api, 'GET', `/imports/${id}/rejected-lines?limit=2&cursor=${first.nextCursor}`),
    )
    expect(second.data.map((r: any) => [r.line, r.problems.length])).toEqual([[4, 2]])
    expect(second.nextCursor).toBeNull()
  })
})

describe('history hygiene', () => {
  it('discards an upload never submitted by hand, and refuses to discard a submitted one', async () => {
    const { api } = await setup()
    const uploaded = await uploadFile(api, 'Nom du client\nA\n')
    const mapped = await uploadFile(api, 'Nom du client\nB\n')
    await apiCall(api, 'PUT', `/imports/${mapped.id}/mapping`, {
      mapping: mapped.suggestedMapping,
    })
    const { id: done } = await importFile(api, 'Nom du client\nC\n')
    expect(
      (
        await api.app.inject({
          method: 'DELETE',
          url: `/api/v1/imports/${uploaded.id}`,
          headers: { authorization: `Bearer ${api.key}` },
        })
      ).statusCode,
    ).toBe(204)
    const stagedOf = async (id: string) =>
      (await store.db.select().from(importLines).where(eq(importLines.importId, id))).length
    // The dry run staged its lines for the run; nothing ties them to the import but its id.
    expect(await stagedOf(mapped.id)).toBe(1)
    expect((await apiCall(api, 'POST', `/imports/${mapped.id}/discard`)).statusCode).toBe(204)
    expect(await stagedOf(mapped.id)).toBe(0)
    expect((await apiCall(api, 'GET', `/imports/${uploaded.id}`)).statusCode).toBe(404)
    expect((await apiCall(api, 'GET', `/imports/${mapped.id}`)).statusCode).toBe(404)
    const refused = await apiCall(api, 'POST', `/imports/${done}/discard`)
    expect(refused.statusCode).toBe(409)
    expect(json(refused).error.message).toBe(
      'This import was submitted, so it stays in the history; only imports never submitted can be discarded.',
    )
    const history = json(await apiCall(api, 'GET', '/imports'))
    expect(history.data.map((r: any) => r.id)).toEqual([done])
    const other = await newOrg(store)
    const theirs = await uploadFile({ app, key: other.key }, 'Nom du client\nD\n')
    expect((await apiCall(api, 'POST', `/imports/${theirs.id}/discard`)).statusCode).toBe(404)
  })

  it('discards uploads never submitted after a day, on a schedule, and keeps the rest', async () => {
    const { org, api } = await setup()
    expect(jobs).toContain(discardAbandonedImportsJob)
    expect(discardAbandonedImportsJob.cron).toBeDefined()
    const old = await uploadFile(api, 'Nom du client\nA\n')
    const fresh = await uploadFile(api, 'Nom du client\nB\n')
    await apiCall(api, 'PUT', `/imports/${old.id}/mapping`, { mapping: old.suggestedMapping })
    const { id: done } = await importFile(api, 'Nom du client\nC\n')
    const dayAndMore = new Date(Date.now() - 25 * 60 * 60 * 1000)
    for (const id of [old.id, done]) {
      await store.db
        .update(imports)
        .set({ createdAt: dayAndMore })
        .where(and(eq(imports.organizationId, org.id), eq(imports.id, id)))
    }
    expect(await discardAbandonedImports(store.db)).toBeGreaterThanOrEqual(1)
    const staged = await store.db.select().from(importLines).where(eq(importLines.importId, old.id))
    expect(staged).toEqual([])
    const history = json(await apiCall(api, 'GET', '/imports'))
    expect(history.data.map((r: any) => r.id)).toEqual([fresh.id, done])
  })

  it('filters the history by status', async () => {
    const { api } = await setup()
    const waiting = await uploadFile(api, 'Nom du client\nA\n')
    const { id: done } = await importFile(api, 'Nom du client\nB\n')
    const ids = async (query: string) =>
      json(await apiCall(api, 'GET', `/imports${query}`)).data.map((r: any) => r.id)
    expect(await ids('?status=completed')).toEqual([done])
    expect(await ids('?status=uploaded,mapped')).toEqual([waiting.id])
    expect(await ids('?status=failed')).toEqual([])
    const refused = await apiCall(api, 'GET', '/imports?status=finished')
    expect(refused.statusCode).toBe(400)
    expect(JSON.stringify(json(refused).error)).toContain('\\"finished\\" is not an import status')
  })
})

describe('who is told', () => {
  it('an import started with an API key notifies the member who created the key', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'admin')
    const { key } = await createApiKey(store.db, org.id, {
      name: 'ERP',
      createdByMemberId: member.id,
    })
    await importFile({ app, key }, 'Nom du client;Email du contact\nA;a@a.fr\nB;nope\n', {
      fileName: 'erp.csv',
    })
    const { data } = await listNotifications(store.db, org.id, member.id, { limit: 10 })
    expect(data.map((n) => [n.kind, n.title])).toEqual([
      ['import_completed', 'Import of erp.csv completed'],
    ])
  })

  it('an import from the command line notifies no one', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'admin')
    const path = join(await mkdtemp(join(tmpdir(), 'roster-cli-notify-')), 'clients.csv')
    await writeFile(path, 'Nom du client\nA\n')
    const { row, preview } = await createImport(
      store.db,
      org.scope,
      { path, fileName: 'clients.csv', size: (await stat(path)).size, sha256: `cli-${org.id}` },
      {},
    )
    await setMapping(store.db, org.id, row.id, preview.suggestedMapping)
    await startImport(store.db, await testQueue(store), org.id, row.id)
    const result = await waitForImport({ app, key: org.key }, row.id)
    expect(result.status).toBe('completed')
    const { data } = await listNotifications(store.db, org.id, member.id, { limit: 10 })
    expect(data).toEqual([])
  })
})
