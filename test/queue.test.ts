import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { testQueue, testStore } from './support.ts'

const store = await testStore()
const queue = await testQueue(store)

describe('the queues of background jobs', () => {
  it('bring a queue an earlier version created to the settings of this code', async () => {
    const name = `test-${randomUUID().slice(0, 8)}`
    // As created by an earlier version: slow to notice a dead worker, slow to retry.
    await queue.boss.createQueue(name, { heartbeatSeconds: 30, retryDelay: 30, retryLimit: 3 })
    await queue.ensure({ name, queue: { heartbeatSeconds: 10, retryDelay: 1, retryLimit: 5 } })
    expect(await queue.boss.getQueue(name)).toMatchObject({
      heartbeatSeconds: 10,
      retryDelay: 1,
      retryLimit: 5,
    })
  })
})
