import { afterAll, beforeAll, expect, it } from 'vitest'
import { startQueue } from '../src/app/jobs.ts'
import { loadConfig } from '../src/platform/config.ts'
import { startReceiver, until } from '../test/webhooks/receiver.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { apiAs } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('webhooks')

describeInBrowser('webhooks', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('adds an endpoint, refusing an unknown address form, and shows a delivery in its log', async () => {
    const { page } = browser
    const receiver = await startReceiver()
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('tab', { name: 'Webhooks' }).click()
    const form = page.getByRole('form', { name: 'Add a webhook endpoint' })
    await form.getByRole('textbox', { name: 'Endpoint URL' }).fill('ftp://erp.example.com')
    await form.getByRole('checkbox', { name: /A customer is created/ }).check()
    await form.getByRole('button', { name: 'Add endpoint' }).click()
    await form.getByRole('alert').waitFor()
    expect(await form.getByRole('alert').textContent()).toContain('https://')

    await form.getByRole('textbox', { name: 'Endpoint URL' }).fill(receiver.url)
    await form.getByRole('textbox', { name: 'Description' }).fill('ERP')
    await form.getByRole('button', { name: 'Add endpoint' }).click()
    const dialog = page.getByRole('dialog', { name: 'Signing secret' })
    const secret = (await dialog.getByLabel('Signing secret').textContent()) ?? ''
    expect(secret).toMatch(/^whsec_/)
    receiver.useSecret(secret)
    await shot(page, 'secret')
    await dialog.getByRole('button', { name: 'Done' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByRole('table', { name: 'Webhook endpoints' }).getByText(receiver.url).waitFor()

    // A change, and a worker delivering this organisation's webhooks.
    const call = await apiAs(roster.app, roster.store, ann.organizationId)
    await call('POST', '/customers', { name: 'Globex', externalId: 'G-7' })
    const base = loadConfig()
    const worker = await startQueue(
      roster.store,
      { ...base, webhooks: { ...base.webhooks, deliver: true, allowLocal: true } },
      { workers: ['webhooks.deliver'], hooks: { webhookOrganizations: [ann.organizationId] } },
    )
    try {
      await until(() => receiver.events.size === 1, 'the delivery')
    } finally {
      await worker.stop()
    }
    const [event] = [...receiver.events.values()]
    expect(event?.body).toMatchObject({
      type: 'customer.created',
      data: { changes: { name: { before: null, after: 'Globex' } } },
    })

    await page.getByRole('button', { name: `Deliveries to ${receiver.url}` }).click()
    const log = page.getByRole('table', { name: 'Deliveries' })
    const row = log.getByRole('row').filter({ hasText: 'customer.created' })
    await row.getByText('delivered').waitFor()
    expect(await row.textContent()).toContain('200')
    await shot(page, 'delivery-log')
  })
})
