import type { Locator, Page } from 'playwright-core'

/** Settings → Integrations, signed in as an admin: the form that connects a system. */
export async function openConnectForm(page: Page): Promise<Locator> {
  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('tab', { name: 'Integrations' }).click()
  return page.getByRole('form', { name: 'Connect a billing system' })
}
