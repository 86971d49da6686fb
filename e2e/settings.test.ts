import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn, signInAsMember } from './support/session.ts'

const shot = screenshots('settings')

describeInBrowser('settings', () => {
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

  it('invites a member with a role', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('tab', { name: 'Members', selected: true }).waitFor()
    const form = page.getByRole('form', { name: 'Invite a member' })
    await form.getByRole('textbox', { name: 'Email' }).fill('not-an-email')
    await form.getByRole('button', { name: 'Send the invitation' }).click()
    await form.getByText('Enter a valid email address, like name@company.com.').first().waitFor()

    await form.getByRole('textbox', { name: 'Email' }).fill('carla@example.com')
    await form.getByRole('combobox', { name: 'Role' }).click()
    await page.getByRole('option', { name: 'Account manager' }).click()
    await form.getByRole('button', { name: 'Send the invitation' }).click()
    const row = page
      .getByRole('table', { name: 'Invitations' })
      .getByRole('row')
      .filter({ hasText: 'carla@example.com' })
    await row.getByText('Account manager').waitFor()
    await shot(page, 'members', { tour: 'settings-members' })
  })

  it('adds a workflow, refusing a name already used', async () => {
    const { page } = browser
    await page.getByRole('tab', { name: 'Workflows' }).click()
    const form = page.getByRole('form', { name: 'Add a workflow' })
    await form.getByRole('textbox', { name: 'Workflow name' }).fill('Key accounts')
    await form.getByRole('button', { name: 'Add workflow' }).click()
    await page.getByRole('table', { name: 'Workflows' }).getByText('Key accounts').waitFor()
    await form.getByRole('textbox', { name: 'Workflow name' }).fill('Key accounts')
    await form.getByRole('button', { name: 'Add workflow' }).click()
    await form.getByRole('alert').waitFor()
    expect(await form.getByRole('alert').textContent()).toContain('Key accounts')
    await shot(page, 'workflows')
  })

  it('creates an API key shown once with a copy button, which works, then revokes it', async () => {
    const { page } = browser
    await page.getByRole('tab', { name: 'API keys' }).click()
    await page.getByRole('textbox', { name: 'Key name' }).fill('ERP sync')
    await page.getByRole('button', { name: 'Create key' }).click()
    const dialog = page.getByRole('dialog', { name: 'API key ERP sync' })
    const key = (await dialog.getByLabel('New API key').textContent()) ?? ''
    expect(key).toMatch(/^rst_/)
    await dialog.getByRole('button', { name: 'Copy the key' }).waitFor()
    await shot(page, 'api-key-created', { tour: 'settings-api-key' })

    const call = () =>
      roster.app.inject({ url: '/api/v1/customers', headers: { authorization: `Bearer ${key}` } })
    expect((await call()).statusCode).toBe(200)
    await dialog.getByRole('button', { name: 'Done' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await page.getByText(key).count()).toBe(0)

    const row = page
      .getByRole('table', { name: 'API keys' })
      .getByRole('row')
      .filter({ hasText: 'ERP sync' })
    await row.getByRole('button', { name: 'Revoke ERP sync' }).click()
    await page
      .getByRole('dialog', { name: 'Revoke ERP sync?' })
      .getByRole('button', { name: 'Revoke key' })
      .click()
    await row.getByText(/^Revoked/).waitFor()
    await shot(page, 'api-key-revoked')
    expect((await call()).statusCode).toBe(401)
  })

  it('tells a member who is not an admin why they cannot change settings', async () => {
    const { page } = browser
    await signInAsMember(browser, roster.store, ann)
    await page.goto('/settings/api-keys')
    await page
      .getByRole('note')
      .getByText('Only admins can see, create and revoke API keys.')
      .waitFor()
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0)
    await page.getByRole('tab', { name: 'Members' }).click()
    await page.getByRole('note').getByText('Only admins can invite members.').waitFor()
    await page
      .getByRole('table', { name: 'Members' })
      .getByText(ann.email, { exact: true })
      .waitFor()
    await shot(page, 'not-admin')
  })
})
