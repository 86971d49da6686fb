import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { XeroFake } from '../test/fakes/xero/fake-server.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'
import { openConnectForm } from './support/integrations.ts'

const shot = screenshots('integrations-xero')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations: Xero by consent', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let xero: XeroFake

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    xero = await XeroFake.start({ tenants: ['Demo Company (UK)', 'Acme Holdings'] })
    const holdings = xero.tenants[1]?.tenantId
    xero.createContact(
      {
        Name: 'Acme Industries SAS',
        AccountNumber: 'C-ACME',
        FirstName: 'Marie',
        LastName: 'Dubois',
        EmailAddress: 'marie@acme.example',
        ContactPersons: [
          { FirstName: 'Paul', LastName: 'Martin', EmailAddress: 'ap@acme.example' },
        ],
      },
      holdings,
    )
    xero.createContact({ Name: 'Only a supplier', IsCustomer: false }, holdings)
    xero.createContact({ Name: 'In the demo company', EmailAddress: 'demo@x.example' })
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
    // Starting Roster with a database of its own is slow on a busy machine.
  }, 240_000)
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await xero.stop()
  })

  it('connects through Xero’s consent page, asks which organisation, and syncs its customers with their contacts', async () => {
    const { page } = browser
    const form = await openConnectForm(page)
    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Xero', exact: true }).click()
    // Only what comes before the consent: the app's client, not tokens or a tenant.
    expect(await form.getByLabel('Refresh token').count()).toBe(0)
    await form.getByRole('textbox', { name: 'Client id' }).fill(xero.clientId)
    await form.getByLabel('Client secret').fill(xero.clientSecret)
    await form.getByRole('button', { name: 'Advanced: webhooks, base URL' }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(xero.url)
    await shot(page, 'client')
    await form.getByRole('button', { name: 'Continue to Xero' }).click()

    await page
      .getByRole('heading', { name: 'Roster wants to access your Xero organisations' })
      .waitFor()
    expect(page.url()).toContain(`${xero.url}/identity/connect/authorize?`)
    await shot(page, 'consent-page')
    await page.getByRole('button', { name: 'Allow access' }).click()

    const choice = page.getByRole('form', { name: 'Choose the Xero organisation' })
    await choice.waitFor()
    expect(new URL(page.url()).pathname).toBe('/settings/integrations')
    await choice.getByRole('combobox', { name: 'Organisation' }).click()
    await page.getByRole('option', { name: 'Acme Holdings' }).click()
    await shot(page, 'tenant-choice')
    await choice.getByRole('button', { name: 'Connect this organisation' }).click()

    await card(page, 'Xero').waitFor()
    const facts = card(page, 'Xero').getByText(/\d+ created, \d+ updated/)
    await expect
      .poll(async () => ((await facts.count()) ? facts.first().textContent() : null), {
        timeout: 20_000,
      })
      .toBe('1 created, 0 updated, 0 archived, 0 skipped')
    await shot(page, 'connected')

    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'Acme Industries SAS' }).click()
    await page.getByRole('heading', { name: 'Acme Industries SAS', level: 1 }).waitFor()
    await page.getByText('ap@acme.example').first().waitFor()
    expect(await page.getByText('marie@acme.example').count()).toBeGreaterThan(0)
    expect(await page.getByRole('link', { name: 'In the demo company' }).count()).toBe(0)
    await shot(page, 'customer-synced')
  })

  it('says so when access is not allowed at Xero', async () => {
    const { page } = browser
    await page.goto('/settings/integrations')
    const form = page.getByRole('form', { name: 'Connect a billing system' })
    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Xero', exact: true }).click()
    await form.getByRole('textbox', { name: 'Client id' }).fill(xero.clientId)
    await form.getByLabel('Client secret').fill(xero.clientSecret)
    await form.getByRole('button', { name: 'Advanced: webhooks, base URL' }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(xero.url)
    await form.getByRole('button', { name: 'Continue to Xero' }).click()
    await page.getByRole('button', { name: 'Cancel' }).click()
    const alert = page.getByRole('alert').filter({ hasText: 'Not connected' })
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Access to Xero was not allowed')
  })
})
