import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApiKey } from '../src/modules/organizations/api-keys.service.ts'
import { linkIn, sendQueuedAccountEmails } from '../test/account-emails.ts'
import { startSmtp } from '../test/reminders/smtp.ts'
import { testQueue } from '../test/support.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('members')

describeInBrowser('members', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let carla = ''

  /** Sends the queued invitation and reset emails as roster serve would, to the test's server. */
  const sendEmails = async () =>
    sendQueuedAccountEmails(roster.store, await testQueue(roster.store), smtp.url, roster.baseURL)

  beforeAll(async () => {
    smtp = await startSmtp()
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('invites a member, who opens the link from the email, chooses a password and signs in', async () => {
    const { page } = browser
    const email = `carla.${ann.organizationId.slice(0, 8)}@example.com`
    carla = email
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('tab', { name: 'Members', selected: true }).waitFor()
    const form = page.getByRole('form', { name: 'Invite a member' })
    await form.getByRole('textbox', { name: 'Email' }).fill(ann.email)
    await form.getByRole('button', { name: 'Send the invitation' }).click()
    await form.getByText('is already a member of this organisation').waitFor()

    await form.getByRole('textbox', { name: 'Email' }).fill(email)
    await form.getByRole('combobox', { name: 'Role' }).click()
    await page.getByRole('option', { name: 'Account manager' }).click()
    await form.getByRole('button', { name: 'Send the invitation' }).click()
    const pending = page
      .getByRole('table', { name: 'Invitations' })
      .getByRole('row', { name: email })
    await pending.getByText('Account manager').waitFor()

    expect(await sendEmails()).toBe(1)
    const link = linkIn(smtp.mails, email, '/invitation')
    await page.reload()
    await pending.getByText(/^Sent /).waitFor()
    await shot(page, 'invitation-sent')

    // The invitee, in a browser of their own (no session).
    await browser.context.clearCookies()
    await page.goto(link.url)
    await page.getByText(`Join ${ann.organizationName} on Roster.`).waitFor()
    const accept = page.getByRole('form', { name: 'Accept the invitation' })
    await accept.getByRole('textbox', { name: 'Your name' }).fill('Carla Manager')
    await accept.getByRole('textbox', { name: 'Password', exact: true }).fill('short')
    await accept.getByRole('button', { name: 'Join and sign in' }).click()
    await accept.getByText('Use at least 8 characters for the password.').waitFor()
    await shot(page, 'accept-invitation')
    await accept
      .getByRole('textbox', { name: 'Password', exact: true })
      .fill('carla has a long password')
    await accept.getByRole('button', { name: 'Join and sign in' }).click()
    await page.getByRole('banner').getByText(ann.organizationName).waitFor()
    await page.waitForURL(/\/customers$/)

    // Signed out, she signs in again with the password she chose; the link is used up.
    await browser.context.clearCookies()
    await signIn(page, { ...ann, email, password: 'carla has a long password' })
    await browser.context.clearCookies()
    await page.goto(link.url)
    await page.getByRole('alert').getByText('This invitation link does not work').waitFor()
  })

  it('resets a forgotten password from the sign-in page', async () => {
    const { page } = browser
    await browser.context.clearCookies()
    await page.goto('/sign-in')
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    // The sign-in page stays until the next page's code has loaded: fill the form of the next.
    const form = page.getByRole('form', { name: 'Forgot password' })
    await form.getByRole('textbox', { name: 'Email' }).fill(ann.email)
    await form.getByRole('button', { name: 'Email me a link' }).click()
    await page
      .getByRole('status')
      .getByText('a link to choose a new password is on its way')
      .waitFor()
    expect(await page.getByRole('link', { name: 'Create an organisation' }).count()).toBe(0)

    expect(await sendEmails()).toBe(1)
    await page.goto(linkIn(smtp.mails, ann.email, '/reset-password').url)
    await page.getByRole('textbox', { name: 'New password' }).fill('an even longer new password')
    await page.getByRole('button', { name: 'Save and sign in' }).click()
    await page.getByRole('banner').getByText(ann.organizationName).waitFor()
    await browser.context.clearCookies()
    await signIn(page, { ...ann, password: 'an even longer new password' })
    ann = { ...ann, password: 'an even longer new password' }
  })

  it('switches a member of two organisations between them in the header', async () => {
    const { page } = browser
    const globex = await newOrgWithMember(roster.store, { name: 'Globex Treasury' })
    const { key } = await createApiKey(roster.store.db, globex.organizationId, { name: 'e2e' })
    const invited = await roster.app.inject({
      method: 'POST',
      url: '/api/v1/invitations',
      headers: { authorization: `Bearer ${key}` },
      payload: { email: carla },
    })
    expect(invited.statusCode).toBe(201)
    expect(await sendEmails()).toBe(1)

    await browser.context.clearCookies()
    await page.goto(linkIn(smtp.mails, carla, '/invitation').url)
    const accept = page.getByRole('form', { name: 'Accept the invitation' })
    await accept.getByRole('textbox', { name: 'Your name' }).fill('Carla Manager')
    await accept
      .getByRole('textbox', { name: 'Password', exact: true })
      .fill('carla has a long password')
    await accept.getByRole('button', { name: 'Join and sign in' }).click()
    const switcher = page.getByRole('button', { name: /Switch organisation/ })
    await switcher.waitFor()
    expect(await switcher.textContent()).toContain('Globex Treasury')
    await switcher.click()
    await shot(page, 'switch-organisation')
    await page.getByRole('menuitem', { name: ann.organizationName }).click()
    await page
      .getByRole('button', { name: `Organisation: ${ann.organizationName}. Switch organisation` })
      .waitFor()
  })

  it('changes a role and removes a member, listing the customers they managed to reassign', async () => {
    const { page } = browser
    const { key } = await createApiKey(roster.store.db, ann.organizationId, { name: 'e2e' })
    const created = await roster.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { authorization: `Bearer ${key}` },
      payload: { name: 'Boulangerie Carla', accountManagers: [carla] },
    })
    expect(created.statusCode).toBe(201)
    await browser.context.clearCookies()
    await signIn(page, ann)
    await page.getByRole('link', { name: 'Settings' }).click()
    const members = page.getByRole('table', { name: 'Members' })
    await members.getByRole('combobox', { name: `Role of ${ann.email}` }).click()
    await page.getByRole('option', { name: 'Member', exact: true }).click()
    await page.getByText("is the organisation's last admin and cannot be demoted").waitFor()

    await members.getByRole('combobox', { name: `Role of ${carla}` }).click()
    await page.getByRole('option', { name: 'Admin' }).click()
    await page.getByText(`${carla} is now Admin.`).waitFor()

    await members.getByRole('button', { name: `Remove ${carla}` }).click()
    const dialog = page.getByRole('dialog', { name: `Remove ${carla}?` })
    await dialog
      .getByRole('list', { name: 'Customers they manage' })
      .getByText('Boulangerie Carla')
      .waitFor()
    await shot(page, 'remove-member')
    await dialog
      .getByRole('link', { name: 'See them in the customers list to reassign them' })
      .click()
    await page.waitForURL(/\/customers\?accountManager=/)
    await page.getByRole('link', { name: 'Boulangerie Carla' }).waitFor()

    await page.goBack()
    await members.getByRole('button', { name: `Remove ${carla}` }).click()
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click()
    await page.getByText(`${carla} was removed.`).waitFor()
    expect(await members.getByText(carla).count()).toBe(0)
  })

  it('signs up, creating an organisation, where the operator opened sign-up', async () => {
    const open = await startRoster({ signupOpen: true })
    const visitor = await openBrowser(open.baseURL)
    try {
      const { page } = visitor
      await page.goto('/sign-in')
      await page.getByRole('link', { name: 'Create an organisation' }).click()
      const form = page.getByRole('form', { name: 'Create an organisation' })
      await form.getByRole('textbox', { name: 'Organisation' }).fill('Initech Receivables')
      await form.getByRole('textbox', { name: 'Your name' }).fill('Peter Gibbons')
      await form
        .getByRole('textbox', { name: 'Email' })
        .fill(`peter.${ann.organizationId.slice(0, 8)}@example.com`)
      await form.getByRole('textbox', { name: 'Password', exact: true }).fill('no more tps reports')
      await shot(page, 'sign-up')
      await form.getByRole('button', { name: 'Create and sign in' }).click()
      await page.getByRole('banner').getByText('Initech Receivables').waitFor()
      await page.getByRole('link', { name: 'Settings' }).click()
      await page
        .getByRole('table', { name: 'Members' })
        .getByRole('combobox', { name: /^Role of peter\./ })
        .waitFor()
    } finally {
      await visitor.close()
      await open.app.close()
    }
  })
})
