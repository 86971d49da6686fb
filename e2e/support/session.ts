import type { BrowserContext, Page } from 'playwright-core'
import { addMember } from '../../src/modules/organizations/members.service.ts'
import type { Store } from '../../src/platform/db/client.ts'
import type { SignInAs } from './roster.ts'

/** Signs in through the sign-in page, as a member would, and waits for the app. */
export async function signIn(page: Page, who: SignInAs): Promise<void> {
  await page.goto('/sign-in')
  await page.getByRole('textbox', { name: 'Email' }).fill(who.email)
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('banner').getByText(who.organizationName).waitFor()
}

/**
 * Adds Bea, a member who is not an admin, to `admin`'s organisation, and signs in as her in
 * place of whoever was signed in.
 */
export async function signInAsMember(
  browser: { page: Page; context: BrowserContext },
  store: Store,
  admin: SignInAs,
): Promise<SignInAs> {
  const bea = { ...admin, email: `bea.${admin.email}`, password: 'another long password' }
  await addMember(store.db, admin.organizationId, {
    email: bea.email,
    name: 'Bea',
    role: 'member',
    password: bea.password,
  })
  await browser.context.clearCookies()
  await signIn(browser.page, bea)
  return bea
}
