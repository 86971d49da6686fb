import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { seedCustomers, type Seeded } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('customer-page')

const contactRow = (page: Page, email: string): Locator =>
  page.getByRole('table', { name: 'Contacts' }).getByRole('row').filter({ hasText: email })

describeInBrowser('the customer page', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let seeded: Seeded

  /** The customer's contacts as the API has them, to check what the page saved. */
  async function storedContacts(customerId: string) {
    const res = await browser.page.request.get(`/api/v1/customers/${customerId}/contacts`)
    expect(res.status()).toBe(200)
    return (
      (await res.json()) as { data: { email: string; role: string | null; isMain: boolean }[] }
    ).data
  }

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    seeded = await seedCustomers(roster.app, roster.store, ann)
    await signIn(browser.page, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('opens from the list and shows details, contacts with the main one marked, and roles', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Acme SAS' }).click()
    await page.getByRole('heading', { name: 'Acme SAS', level: 1 }).waitFor()
    const main = contactRow(page, 'ap@acme.example')
    await main.getByText('Main contact').waitFor()
    expect(await main.getByRole('combobox', { name: 'Role of ap@acme.example' }).inputValue()).toBe(
      'Payer',
    )
    expect(await contactRow(page, 'sales@acme.example').getByText('Main contact').count()).toBe(0)
    await page.getByText('C-0001').waitFor()
    await shot(page, 'customer', { tour: 'customer' })
  })

  it("fixes a contact's email and role in the edit form", async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Edit sales@acme.example' }).click()
    const form = page.getByRole('dialog', { name: 'Edit sales@acme.example' })
    await form.getByRole('textbox', { name: 'Email' }).fill('not an email')
    await form.getByRole('button', { name: 'Save' }).click()
    await form.getByText('Enter a valid email address, like name@company.com.').first().waitFor()
    await shot(page, 'contact-invalid-email')

    await form.getByRole('textbox', { name: 'Email' }).fill('billing@acme.example')
    await form.getByRole('combobox', { name: 'Role' }).click()
    await page.getByRole('option', { name: 'Accounting' }).click()
    await form.getByRole('button', { name: 'Save' }).click()
    await form.waitFor({ state: 'hidden' })
    const row = contactRow(page, 'billing@acme.example')
    await row.waitFor()
    expect(
      await row.getByRole('combobox', { name: 'Role of billing@acme.example' }).inputValue(),
    ).toBe('Accounting')
    expect(await storedContacts(seeded.acmeId)).toContainEqual(
      expect.objectContaining({ email: 'billing@acme.example', role: 'ACCOUNTING', isMain: false }),
    )
    await shot(page, 'contact-edited')
  })

  it('makes another contact main, and changes a role in place', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Make billing@acme.example the main contact' }).click()
    await contactRow(page, 'billing@acme.example').getByText('Main contact').waitFor()
    await expect
      .poll(async () => contactRow(page, 'ap@acme.example').getByText('Main contact').count())
      .toBe(0)

    await contactRow(page, 'ap@acme.example')
      .getByRole('combobox', { name: /Role of/ })
      .click()
    await page.getByRole('option', { name: 'Purchaser' }).click()
    await expect
      .poll(async () =>
        (await storedContacts(seeded.acmeId)).map((c) => [c.email, c.role, c.isMain]),
      )
      .toEqual([
        ['billing@acme.example', 'ACCOUNTING', true],
        ['ap@acme.example', 'PURCHASER', false],
      ])
    await shot(page, 'main-changed')
  })

  it('adds a contact, then deletes it after confirming', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Add a contact' }).click()
    const form = page.getByRole('dialog', { name: 'Add a contact' })
    await form.getByRole('textbox', { name: 'Email' }).fill('new.payer@acme.example')
    await form.getByRole('textbox', { name: 'First name' }).fill('Nina')
    await form.getByRole('textbox', { name: 'Phone number' }).fill('01 42 68 53 00')
    await form.getByRole('button', { name: 'Add contact' }).click()
    await form.waitFor({ state: 'hidden' })
    await contactRow(page, 'new.payer@acme.example').getByText('+33142685300').waitFor()

    await page.getByRole('button', { name: 'Delete new.payer@acme.example' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete new.payer@acme.example?' })
    await shot(page, 'delete-confirm')
    await confirm.getByRole('button', { name: 'Delete contact' }).click()
    await contactRow(page, 'new.payer@acme.example').waitFor({ state: 'detached' })
    expect((await storedContacts(seeded.acmeId)).map((c) => c.email)).not.toContain(
      'new.payer@acme.example',
    )
  })

  it('keeps marking a phone number it could not read, after the warning is gone', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Add a contact' }).click()
    const form = page.getByRole('dialog', { name: 'Add a contact' })
    await form.getByRole('textbox', { name: 'Email' }).fill('standard@acme.example')
    await form.getByRole('textbox', { name: 'Phone number' }).fill('ext. 42')
    await form.getByRole('button', { name: 'Add contact' }).click()
    await form.waitFor({ state: 'hidden' })
    await page.getByText('Saved, with a warning').first().waitFor()
    await page.reload()
    const row = contactRow(page, 'standard@acme.example')
    await row.getByText('ext. 42').waitFor()
    await row.getByText('Kept as typed').waitFor()
    await shot(page, 'phone-kept-as-typed')
    await page.getByRole('button', { name: 'Delete standard@acme.example' }).click()
    await page
      .getByRole('dialog', { name: 'Delete standard@acme.example?' })
      .getByRole('button', { name: 'Delete contact' })
      .click()
    await row.waitFor({ state: 'detached' })
  })

  it('shows the history of the changes with who made them', async () => {
    const { page } = browser
    await page.reload()
    await page.getByText('Contact billing@acme.example changed: Email, Role').waitFor()
    await page
      .getByText(/ann\.e2e-.*@example\.com ·/)
      .first()
      .waitFor()
  })

  it('locks what a source owns, saying which source and where to change it', async () => {
    const { page } = browser
    await page.goto(`/customers/${seeded.syncedId}`)
    await page.getByRole('heading', { name: 'Umbrella Corp', level: 1 }).waitFor()
    const notes = page.getByRole('note')
    await notes.filter({ hasText: "This customer's details are read-only in Roster." }).waitFor()
    await notes.filter({ hasText: 'The contacts of this customer are read-only' }).waitFor()
    expect(await notes.first().textContent()).toContain('Change them in Stripe')
    expect(await page.getByRole('button', { name: 'Edit details' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /Edit billing@umbrella/ }).count()).toBe(0)
    const role = page.getByRole('combobox', { name: 'Role of billing@umbrella.example' })
    expect(await role.isDisabled()).toBe(true)
    await shot(page, 'source-owned', { tour: 'source-owned' })

    // What Roster owns stays editable on a synced customer.
    await page.getByRole('combobox', { name: 'Workflow' }).click()
    await page.getByRole('option', { name: 'Firm' }).click()
    await page.getByText('Customer saved.').waitFor()
  })
})
