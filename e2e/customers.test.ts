import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { seedCustomers } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('customers')

const table = (page: Page): Locator => page.getByRole('table', { name: 'Customers' })
/** The names in the table's rows, top to bottom. */
const names = async (page: Page): Promise<string[]> =>
  table(page).locator('tbody tr td:nth-child(2) a').allTextContents()
/** Waits until the table shows exactly these first names (the list refreshes as filters change). */
async function expectNames(page: Page, expected: string[], count = expected.length) {
  await expect
    .poll(async () => (await names(page)).slice(0, count), { timeout: 10_000 })
    .toEqual(expected)
}

describeInBrowser('the customers tab', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await seedCustomers(roster.app, roster.store, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('lists customers by name with their main contact, managers, workflow and source', async () => {
    const { page } = browser
    await signIn(page, ann)
    await expectNames(page, ['Acme SAS', 'Boulangerie Martin', 'Cabinet Lefèvre'], 3)
    const acme = table(page).getByRole('row').filter({ hasText: 'Acme SAS' })
    for (const text of ['C-0001', 'Alice Payet', 'ap@acme.example', 'Gentle', 'Roster']) {
      await acme.getByText(text, { exact: true }).waitFor()
    }
    await acme.getByText('Bob Durand').waitFor()
    await table(page)
      .getByRole('row')
      .filter({ hasText: 'Umbrella Corp' })
      .getByText('Stripe')
      .waitFor()
    await shot(page, 'list', { tour: 'customers' })
  })

  it('searches names, customer IDs and contact emails', async () => {
    const { page } = browser
    const search = page.getByRole('searchbox', { name: 'Search' })
    await search.fill('globex')
    await expectNames(page, ['Globex France'])
    await search.fill('C-0001')
    await expectNames(page, ['Acme SAS'])
    await search.fill('billing@umbrella')
    await expectNames(page, ['Umbrella Corp'])
    await shot(page, 'search')
    await search.fill('nothing like this')
    await page.getByRole('status').getByText('No customers match.').waitFor()
    await search.fill('')
    await expectNames(page, ['Acme SAS'], 1)
  })

  it('filters by source, workflow and account manager, and keeps them in the address', async () => {
    const { page } = browser
    await page.getByRole('combobox', { name: 'Source' }).click()
    await page.getByRole('option', { name: 'Stripe' }).click()
    await expectNames(page, ['Umbrella Corp'])
    expect(new URL(page.url()).searchParams.get('source')).toBe('stripe')
    await shot(page, 'filter-source')

    await page.reload()
    await expectNames(page, ['Umbrella Corp'])
    await page.getByRole('combobox', { name: 'Source' }).click()
    await page.getByRole('option', { name: 'Roster' }).click()
    await page.getByRole('combobox', { name: 'Workflow' }).click()
    await page.getByRole('option', { name: 'Gentle' }).click()
    await page.getByRole('combobox', { name: 'Account manager' }).click()
    await page.getByRole('option', { name: 'Bob Durand' }).click()
    // The order of accented names depends on the store's collation: compare the set.
    await expect
      .poll(async () => (await names(page)).sort(), { timeout: 10_000 })
      .toEqual(['Acme SAS', 'Kiosque Bernard', 'Éditions du Parc'])
    await shot(page, 'filter-workflow-manager')
  })

  it('sorts by customer ID both ways, customers without one last', async () => {
    const { page } = browser
    await page.goto('/customers')
    await expectNames(page, ['Acme SAS'], 1)
    const header = table(page).getByRole('button', { name: 'Customer ID' })
    await header.click()
    await expectNames(page, ['Acme SAS', 'Globex France', 'Boulangerie Martin'], 3)
    await header.click()
    await expectNames(page, ['Umbrella Corp', 'Menuiserie Fournier'], 2)
    expect((await names(page)).at(-1)).toBe('Initech')
    const sorted = table(page).getByRole('columnheader', { name: 'Customer ID' })
    expect(await sorted.getAttribute('aria-sort')).toBe('descending')
    await shot(page, 'sorted-by-id')
  })

  it('offers the import wizard and the import history from "Add customers"', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Add customers' }).click()
    const wizard = page.getByRole('menuitem', { name: 'Import or Assign customers' })
    await wizard.waitFor()
    expect(await wizard.getAttribute('href')).toBe('/imports/new')
    expect(await page.getByRole('menuitem', { name: 'Import history' }).getAttribute('href')).toBe(
      '/imports',
    )
    await shot(page, 'add-customers-menu')
    await page.keyboard.press('Escape')
  })

  it('works with the keyboard alone: search, open a customer, the Add customers menu', async () => {
    const { page } = browser
    await page.goto('/customers')
    await expectNames(page, ['Acme SAS'], 1)
    const search = page.getByRole('searchbox', { name: 'Search' })
    await search.focus()
    await page.keyboard.type('initech')
    await expectNames(page, ['Initech'])
    // From the search box, Tab reaches the filters, the list, then its first customer.
    const focusedText = async () => (await page.locator(':focus').textContent()) ?? ''
    for (let i = 0; i < 12 && (await focusedText()) !== 'Initech'; i++)
      await page.keyboard.press('Tab')
    expect(await focusedText()).toBe('Initech')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Initech', level: 1 }).waitFor()

    await page.goBack()
    await page.getByRole('button', { name: 'Add customers' }).focus()
    await page.keyboard.press('Enter')
    const first = page.getByRole('menuitem', { name: 'Import or Assign customers' })
    await first.waitFor()
    // Escape closes the menu from inside it: wait for the focus to have moved into it.
    await first.focus()
    await page.keyboard.press('Escape')
    await page.getByRole('menuitem', { name: 'Import history' }).waitFor({ state: 'hidden' })
  })

  it('is readable on a phone, with the sections behind the menu button', async () => {
    const { page } = browser
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto('/customers')
    await expectNames(page, ['Acme SAS'], 1)
    await shot(page, 'phone', { tour: 'phone' })
    await page.getByRole('button', { name: 'Open the menu' }).click()
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: 'Settings' })
      .waitFor()
    await shot(page, 'phone-menu')
    await page.getByRole('button', { name: 'Close the menu' }).click()
    await page.setViewportSize({ width: 1280, height: 800 })
  })
})
