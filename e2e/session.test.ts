import { afterAll, beforeAll, expect, it } from 'vitest'
import { addMember } from '../src/modules/organizations/members.service.ts'
import { createOrganization } from '../src/modules/organizations/organizations.service.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'

const shot = screenshots('session')

describeInBrowser('signing in and out', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('sends a visitor to the sign-in page, and refuses a wrong password', async () => {
    const { page } = browser
    await page.goto('/customers')
    await page.getByRole('heading', { name: 'Roster' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await shot(page, 'sign-in', { tour: 'sign-in' })

    await page.getByRole('textbox', { name: 'Email' }).fill(ann.email)
    await page.getByRole('textbox', { name: 'Password' }).fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').getByText('Wrong email or password.').waitFor()
    await shot(page, 'wrong-password')
  })

  it('signs a member in, shows the organisation, and opens the page asked for', async () => {
    const { page } = browser
    await page.getByRole('textbox', { name: 'Password' }).fill(ann.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('banner').getByText(ann.organizationName).waitFor()
    expect(new URL(page.url()).pathname).toBe('/customers')
    await shot(page, 'signed-in')
  })

  it('keeps the member signed in across a reload, then signs out from the member menu', async () => {
    const { page } = browser
    await page.reload()
    await page.getByRole('banner').getByText(ann.organizationName).waitFor()
    await page.getByRole('button', { name: /Account menu/ }).click()
    await page.getByRole('menuitem', { name: 'Profile' }).waitFor()
    await shot(page, 'member-menu')
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
    await shot(page, 'signed-out')

    // The session is gone on the server too: the app's pages send back to signing in.
    await page.goto('/settings')
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/sign-in')
  })

  it('asks which organisation when the email belongs to members of several', async () => {
    const { page } = browser
    const other = await createOrganization(roster.store.db, {
      name: 'Globex Receivables',
      slug: `globex-${ann.organizationId.slice(0, 8)}`,
    })
    await addMember(roster.store.db, other.id, {
      email: ann.email,
      role: 'member',
      password: ann.password,
    })
    await page.getByRole('textbox', { name: 'Email' }).fill(ann.email)
    await page.getByRole('textbox', { name: 'Password' }).fill(ann.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    const choice = page.getByRole('combobox', { name: 'Organisation' })
    await choice.click()
    await page.getByRole('option', { name: other.slug }).click()
    await shot(page, 'choose-organisation')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('banner').getByText('Globex Receivables').waitFor()
  })
})
