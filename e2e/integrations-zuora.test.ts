import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ZuoraFake } from '../test/fakes/zuora/fake-server.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'
import { openConnectForm } from './support/integrations.ts'

const shot = screenshots('integrations-zuora')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations: Zuora', () => {
  let roster: Roster
  let browser: Browser
  let zuora: ZuoraFake

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    zuora = await ZuoraFake.start()
    zuora.createAccount({
      id: 'acme',
      name: 'Acme Industries SAS',
      currency: 'EUR',
      billTo: {
        firstName: 'Marie',
        lastName: 'Dubois',
        workEmail: 'marie@acme.example',
        city: 'Paris',
        country: 'France',
      },
      soldTo: { firstName: 'Paul', lastName: 'Martin', workEmail: 'paul@acme.example' },
      contacts: [{ firstName: 'Inès', workEmail: 'ines@acme.example' }],
    })
    zuora.createAccount({
      name: 'Wayne Enterprises',
      billTo: { workEmail: 'ap@wayne.example' },
      soldTo: 'billTo',
    })
    zuora.advance(120)
    browser = await openBrowser(roster.baseURL)
    await signIn(browser.page, await newOrgWithMember(roster.store))
    // Starting Roster and the browser is slow on a busy machine.
  }, 180_000)
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await zuora.stop()
  })

  it('shows a client secret Zuora refuses, then connects with the right one and syncs', async () => {
    const { page } = browser
    const form = await openConnectForm(page)
    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Zuora' }).click()

    await form.getByRole('textbox', { name: 'Client ID' }).fill(zuora.clientId)
    await form.getByLabel('Client secret').fill('not-the-secret')
    await form.getByRole('button', { name: 'Advanced: webhooks, base URL' }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(zuora.url)
    await form.getByRole('button', { name: 'Connect Zuora' }).click()
    await form.getByText('Refused by Zuora.').waitFor()
    expect(await form.getByRole('alert').textContent()).toContain(
      'Zuora refused these credentials (Bad client credentials)',
    )
    await shot(page, 'secret-refused')

    await form.getByLabel('Client secret').fill(zuora.clientSecret)
    await form.getByRole('button', { name: 'Connect Zuora' }).click()
    await card(page, 'Zuora').waitFor()
    // The first full sync starts on its own.
    const facts = card(page, 'Zuora').getByText(/\d+ created, \d+ updated/)
    await expect
      .poll(async () => ((await facts.count()) ? facts.first().textContent() : null), {
        timeout: 20_000,
      })
      .toBe('2 created, 0 updated, 0 archived, 0 skipped')
    await shot(page, 'connected')
  })

  it('brings the account with its Bill To as main contact and the others, locked by Zuora', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'Acme Industries SAS' }).click()
    await page.getByRole('heading', { name: 'Acme Industries SAS', level: 1 }).waitFor()
    await page
      .getByRole('note')
      .filter({ hasText: 'The contacts of this customer are read-only' })
      .waitFor()
    expect(await page.getByRole('note').first().textContent()).toContain('Change them in Zuora')
    for (const email of ['marie@acme.example', 'paul@acme.example', 'ines@acme.example']) {
      await page.getByText(email).first().waitFor()
    }
    expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
    await shot(page, 'customer-synced')
  })
})
