import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SellsyFake } from '../test/fakes/sellsy/fake-server.ts'
import { acme } from '../test/connectors/specs/sellsy.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('integrations-sellsy')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations with Sellsy', () => {
  let roster: Roster | undefined
  let browser: Browser | undefined
  let ann: SignInAs
  let sellsy: SellsyFake | undefined

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    const fake = await SellsyFake.start()
    sellsy = fake
    acme(fake)
    fake.createCompany({
      name: 'Bolt GmbH',
      contacts: [{ email: 'ap@bolt.example', first_name: 'Anna', main: true }],
    })
    fake.createCompany({ name: 'Prospect SA', type: 'prospect' })
    fake.advance(120)
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
    // A busy machine starts Roster and Chromium slowly.
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await roster?.close()
    await sellsy?.stop()
  })

  it(
    'connects Sellsy with a client id and secret (a wrong secret refused), syncs, and shows a customer with its main and additional contacts',
    { timeout: 120_000 },
    async () => {
      if (!browser || !sellsy) throw new Error('not started')
      const { page } = browser
      await page.getByRole('link', { name: 'Settings' }).click()
      await page.getByRole('tab', { name: 'Integrations' }).click()
      const form = page.getByRole('form', { name: 'Connect a billing system' })
      await form.getByRole('combobox', { name: 'System' }).click()
      await page.getByRole('option', { name: 'Sellsy' }).click()

      await form.getByRole('textbox', { name: 'Client id' }).fill(sellsy.clientId)
      await form.getByLabel('Client secret').fill('not-the-secret')
      await form.getByRole('button', { name: 'Advanced: base URL' }).click()
      await form.getByRole('textbox', { name: 'Base URL' }).fill(sellsy.url)
      await form.getByRole('button', { name: 'Connect Sellsy' }).click()
      await form.getByText('Refused by Sellsy.').waitFor()
      expect(await form.getByRole('alert').textContent()).toContain(
        'Sellsy refused these credentials (Client authentication failed); check the client id and secret and try again.',
      )
      await shot(page, 'secret-refused')

      await form.getByLabel('Client secret').fill(sellsy.clientSecret)
      await form.getByRole('button', { name: 'Connect Sellsy' }).click()
      await card(page, 'Sellsy').waitFor()
      const facts = card(page, 'Sellsy').getByText(/\d+ created, \d+ updated/)
      await expect
        .poll(async () => ((await facts.count()) ? facts.first().textContent() : null), {
          timeout: 30_000,
        })
        .toBe('2 created, 0 updated, 0 archived, 0 skipped')
      await shot(page, 'connected')

      await page.getByRole('link', { name: 'Customers' }).click()
      await page.getByRole('link', { name: 'Bolt GmbH' }).waitFor()
      expect(await page.getByRole('link', { name: 'Prospect SA' }).count()).toBe(0)
      await page.getByRole('link', { name: 'Acme Industries SAS' }).click()
      await page.getByRole('heading', { name: 'Acme Industries SAS', level: 1 }).waitFor()
      const row = (email: string): Locator =>
        page.getByRole('table', { name: 'Contacts' }).getByRole('row').filter({ hasText: email })
      await row('marie@acme.example').getByText('Main contact').waitFor()
      await row('ap@acme.example').waitFor()
      expect(await row('ap@acme.example').getByText('Main contact').count()).toBe(0)
      expect(await page.getByText('old@acme.example').count()).toBe(0)
      expect(await page.getByRole('note').first().textContent()).toContain('Change them in Sellsy')
      expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
      await shot(page, 'customer-synced')
    },
  )
})
