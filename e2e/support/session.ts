import type { Page } from 'playwright-core'
import type { SignInAs } from './roster.ts'

/** Signs in through the sign-in page, as a member would, and waits for the app. */
export async function signIn(page: Page, who: SignInAs): Promise<void> {
  await page.goto('/sign-in')
  await page.getByRole('textbox', { name: 'Email' }).fill(who.email)
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('banner').getByText(who.organizationName).waitFor()
}
