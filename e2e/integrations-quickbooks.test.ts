import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { QuickBooksFake } from '../test/fakes/quickbooks/fake-server.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'
import { openConnectForm } from './support/integrations.ts'

const shot = screenshots('integrations-quickbooks')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations with QuickBooks', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let quickbooks: QuickBooksFake

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    quickbooks = await QuickBooksFake.start()
    const acme = quickbooks.createCustomer({
      DisplayName: 'Acme Industries',
      CompanyName: 'Acme Industries SAS',
      GivenName: 'Marie',
      FamilyName: 'Dubois',
      PrimaryEmailAddr: { Address: 'marie.dubois@acme.example, ap@acme.example' },
      BillAddr: { Line1: '12 rue des Lilas', City: 'Paris', PostalCode: '75011', Country: 'FR' },
    })
    quickbooks.createCustomer({
      DisplayName: 'Acme West',
      ParentRef: { value: String(acme.Id) },
      PrimaryEmailAddr: { Address: 'west@acme.example' },
    })
    quickbooks.createCustomer({ DisplayName: 'Cactus Supply' })
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
    // Starting Roster with a database of its own takes a while on a busy machine.
  }, 240_000)
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await quickbooks.stop()
  })

  it('connects through Intuit’s consent page (a wrong client secret is refused on the way back), then syncs the customers', async () => {
    const { page } = browser
    const form = await openConnectForm(page)
    const startConsent = async (secret: string) => {
      await form.getByRole('combobox', { name: 'System' }).click()
      await page.getByRole('option', { name: 'QuickBooks' }).click()
      // The company and the tokens come with the consent.
      expect(await form.getByLabel('Refresh token').count()).toBe(0)
      await form.getByRole('textbox', { name: 'Client id' }).fill(quickbooks.clientId)
      await form.getByLabel('Client secret').fill(secret)
      await form.getByRole('button', { name: 'Advanced: webhooks, base URL' }).click()
      await form.getByRole('textbox', { name: 'Base URL' }).fill(quickbooks.url)
      await form.getByRole('button', { name: 'Continue to QuickBooks' }).click()
      await page
        .getByRole('heading', { name: 'Roster wants to connect to your QuickBooks company' })
        .waitFor()
      await page.getByRole('link', { name: 'Connect' }).click()
    }
    await startConsent('not-the-secret')
    const refused = page.getByRole('alert').filter({ hasText: 'Not connected' })
    await refused.waitFor()
    expect(await refused.textContent()).toContain('invalid_client')
    await shot(page, 'secret-refused')

    await startConsent(quickbooks.clientSecret)
    await card(page, 'QuickBooks').waitFor()
    const facts = card(page, 'QuickBooks').getByText(/\d+ created, \d+ updated/)
    await expect
      .poll(async () => ((await facts.count()) ? facts.first().textContent() : null), {
        timeout: 20_000,
      })
      .toBe('3 created, 0 updated, 0 archived, 0 skipped')
    await shot(page, 'connected')

    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'Cactus Supply' }).waitFor()
    await page.getByRole('link', { name: 'Acme Industries SAS' }).click()
    await page.getByRole('heading', { name: 'Acme Industries SAS', level: 1 }).waitFor()
    await page.getByText('marie.dubois@acme.example').first().waitFor()
    await page.getByText('ap@acme.example').first().waitFor()
    expect(await page.getByRole('note').first().textContent()).toContain(
      'Change them in QuickBooks',
    )
    expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
    await shot(page, 'customer-synced')
  })
})
