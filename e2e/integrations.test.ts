import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { StripeFake } from '../test/fakes/stripe/fake-server.ts'
import { describeInBrowser, openBrowser, phone, laptop, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn, signInAsMember } from './support/session.ts'

const shot = screenshots('integrations')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

/** Waits for the Stripe card's last sync to read `counts`, saying what it read otherwise. */
async function lastSyncReads(page: Page, counts: string): Promise<void> {
  const facts = card(page, 'Stripe').getByText(/\d+ created, \d+ updated/)
  await expect
    .poll(async () => ((await facts.count()) ? facts.first().textContent() : null), {
      timeout: 20_000,
    })
    .toBe(counts)
}

describeInBrowser('settings → integrations', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let stripe: StripeFake
  let wayneId = ''

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    stripe = await StripeFake.start()
    stripe.createCustomer({ name: 'Wayne Enterprises', email: 'ap@wayne.example' })
    stripe.createCustomer({ name: 'Stark Industries', email: 'billing@stark.example' })
    stripe.createCustomer({ name: 'Hooli', email: 'accounts at hooli' })
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await stripe.stop()
  })

  it('shows a key Stripe refuses under the API key field, then connects with the right one', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('tab', { name: 'Integrations' }).click()
    await page.getByRole('note').getByText('No system is connected yet').waitFor()
    const form = page.getByRole('form', { name: 'Connect a billing system' })
    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Stripe' }).click()

    await form.getByLabel('Stripe API key').fill('sk_test_not_the_right_one')
    await form.getByRole('button', { name: 'Advanced: webhooks, base URL' }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(stripe.url)
    await form.getByRole('button', { name: 'Connect Stripe' }).click()
    await form.getByText('Refused by Stripe.').waitFor()
    expect(await form.getByRole('alert').textContent()).toContain(
      'Stripe refused these credentials',
    )
    await shot(page, 'key-refused')

    await form.getByLabel('Stripe API key').fill(stripe.apiKey)
    await form.getByRole('button', { name: 'Connect Stripe' }).click()
    await card(page, 'Stripe').waitFor()
    // The first full sync starts on its own.
    await lastSyncReads(page, '3 created, 0 updated, 0 archived, 1 skipped')
    await shot(page, 'connected')
  })

  it('syncs now and shows the run with its counts and the records it skipped', async () => {
    const { page } = browser
    stripe.createCustomer({ name: 'Initrode', email: 'ar@initrode.example' })
    await card(page, 'Stripe').getByRole('button', { name: 'Sync now' }).click()
    await lastSyncReads(page, '1 created, 0 updated, 0 archived, 1 skipped')
    await card(page, 'Stripe').getByRole('button', { name: 'Show the run history' }).click()
    const runs = page.getByRole('table', { name: 'Runs of Stripe' })
    await runs.getByText('Skipped records').first().waitFor()
    expect(await runs.textContent()).toContain('The email "accounts at hooli" of Stripe customer')
    const statuses = await runs.getByText(/^(Completed|Failed|Running|Queued)$/).allTextContents()
    expect(statuses).toEqual(['Completed', 'Completed'])
    // Newest first: this run (incremental) above the first, full one.
    const rows = await runs.getByRole('row').filter({ hasText: 'Manual' }).allTextContents()
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatch(/ManualCompleted1001$/)
    expect(rows[1]).toMatch(/Manual \(full\)Completed3001$/)
    await card(page, 'Stripe')
      .getByRole('button', { name: 'Copy the webhook URL of Stripe' })
      .waitFor()
    // Roster runs on 127.0.0.1 here, as without ROSTER_PUBLIC_URL: Stripe could not call it.
    await card(page, 'Stripe').getByText('Stripe cannot reach this address').waitFor()
    await page.evaluate('window.scrollTo(0, 0)')
    await shot(page, 'synced', { tour: 'settings-integrations' })
  })

  it('brings the customers, their contacts locked by Stripe', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'Initrode' }).waitFor()
    await page.getByRole('link', { name: 'Wayne Enterprises' }).click()
    await page.getByRole('heading', { name: 'Wayne Enterprises', level: 1 }).waitFor()
    wayneId = page.url().split('/').at(-1) ?? ''
    await page
      .getByRole('note')
      .filter({ hasText: 'The contacts of this customer are read-only' })
      .waitFor()
    expect(await page.getByRole('note').first().textContent()).toContain('Change them in Stripe')
    expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Edit ap@wayne.example' }).count()).toBe(0)
    await shot(page, 'customer-synced')
  })

  it('disconnects contacts after typing DISCONNECT, for good', async () => {
    const { page } = browser
    await page.goto('/settings/integrations')
    const source = card(page, 'Contact source')
    await source
      .getByText('Contacts are synced from Stripe: they are read-only in Roster')
      .waitFor()
    await source.getByRole('button', { name: 'Disconnect contacts from Stripe' }).click()
    const dialog = page.getByRole('dialog', { name: 'Disconnect contacts from Stripe?' })
    await dialog.getByText('This cannot be undone').waitFor()
    await dialog.getByText('Contacts created in Roster are never written to Stripe.').waitFor()
    const confirm = dialog.getByRole('button', { name: 'Disconnect contacts' })
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByRole('textbox', { name: 'Type DISCONNECT to confirm' }).fill('disconnect')
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByRole('textbox', { name: 'Type DISCONNECT to confirm' }).fill('DISCONNECT')
    expect(await confirm.isDisabled()).toBe(false)
    await shot(page, 'disconnect-confirm')
    await confirm.click()
    await dialog.waitFor({ state: 'hidden' })
    await source.getByText(/disconnected from the invoicing system on .* by /).waitFor()
    expect(await source.textContent()).toContain('This cannot be undone.')
    expect(await source.getByRole('button', { name: /Disconnect contacts/ }).count()).toBe(0)
    expect(await source.getByRole('combobox', { name: 'Sync contacts from' }).count()).toBe(0)
    await shot(page, 'disconnected')
  })

  it('makes the contacts editable on the customer page', async () => {
    const { page } = browser
    await page.goto(`/customers/${wayneId}`)
    await page.getByRole('heading', { name: 'Wayne Enterprises', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Edit ap@wayne.example' }).waitFor()
    await page.getByRole('button', { name: 'Add a contact' }).waitFor()
    expect(
      await page.getByRole('note').filter({ hasText: 'The contacts of this customer' }).count(),
    ).toBe(0)
    // The customer itself stays Stripe's.
    await page
      .getByRole('note')
      .filter({ hasText: "This customer's details are read-only" })
      .waitFor()
    await shot(page, 'customer-contacts-editable')
  })

  it('is readable on a phone', async () => {
    const { page } = browser
    await page.setViewportSize(phone)
    await page.goto('/settings/integrations')
    await card(page, 'Stripe').getByRole('button', { name: 'Sync now' }).waitFor()
    const width = await page.evaluate<number>('document.documentElement.scrollWidth')
    expect(width).toBeLessThanOrEqual(phone.width)
    await shot(page, 'phone')
    await page.setViewportSize(laptop)
  })

  it('tells a member who is not an admin why they cannot see integrations', async () => {
    const { page } = browser
    await signInAsMember(browser, roster.store, ann)
    await page.goto('/settings/integrations')
    await page
      .getByRole('note')
      .getByText('Only admins can connect billing systems and manage their syncs.')
      .waitFor()
    expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(0)
  })
})
