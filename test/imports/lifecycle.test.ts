import { describe, expect, it } from 'vitest'
import { runImport } from '../../src/modules/imports/apply/run.ts'
import { moveImport } from '../../src/modules/imports/lifecycle.ts'
import { json, newOrg, testApp, testStore } from '../support.ts'
import { apiCall, importFile } from './helpers.ts'

const store = await testStore()
const app = await testApp(store, { workers: true })

describe('import lifecycle', () => {
  it('refuses to move a completed import back to running, and writes nothing', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const { id, result } = await importFile(api, 'Customer name\nAlpha\n')
    expect(result.status).toBe('completed')
    const move = store.db.transaction((tx) =>
      moveImport(tx, { organizationId: org.id, id }, 'running', 'start', { finishedAt: null }),
    )
    await expect(move).rejects.toThrow('This import cannot start: it has already completed.')
    const after = json(await apiCall(api, 'GET', `/imports/${id}`))
    expect(after.status).toBe('completed')
    expect(after.finishedAt).toBe(result.finishedAt)
  })

  it('leaves a finished import as it is when its job runs again', async () => {
    const org = await newOrg(store)
    const api = { app, key: org.key }
    const { id, result } = await importFile(api, 'Customer name\nBeta\n')
    await runImport(store.db, org.id, id)
    expect(json(await apiCall(api, 'GET', `/imports/${id}`))).toEqual(result)
  })
})
