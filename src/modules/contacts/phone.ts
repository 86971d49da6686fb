import { createRequire } from 'node:module'
import type { CountryCode } from 'libphonenumber-js/max'

// The phone metadata (a few MB) loads on the first number read, not with this module: most
// commands (`roster --help`, an export) read none. `require` keeps the read synchronous.
const load = createRequire(import.meta.url)
let library: typeof import('libphonenumber-js/max') | undefined
const phoneNumbers = (): typeof import('libphonenumber-js/max') =>
  (library ??= load('libphonenumber-js/max') as typeof import('libphonenumber-js/max'))

export type PhoneResult =
  { phone: string; warning?: undefined } | { phone: string; warning: string }

/** What `normalizePhone` keeps of a number it reads: E.164, "+" and up to 15 digits. */
const e164 = /^\+[1-9]\d{1,14}$/

/**
 * True when a stored phone number is not one `normalizePhone` read (it keeps those in E.164):
 * kept as typed by the API or an import, or brought so by a source.
 */
export const isPhoneKeptAsTyped = (phone: string | null): boolean =>
  phone !== null && !e164.test(phone)

/**
 * A phone number in E.164 when it can be read (a national number is read in the organisation's
 * default country); otherwise the number as typed, with a warning saying why.
 */
export function normalizePhone(input: string, defaultCountry: string | null): PhoneResult {
  const typed = input.trim()
  const parsed = phoneNumbers().parsePhoneNumberFromString(typed, {
    defaultCountry: (defaultCountry ?? undefined) as CountryCode | undefined,
  })
  if (parsed?.isValid()) return { phone: parsed.number }
  const hint = defaultCountry
    ? `as an international number or a ${defaultCountry} number`
    : 'as an international number starting with + (the organisation has no default country)'
  return {
    phone: typed,
    warning: `Phone number "${typed}" could not be read ${hint}; kept as typed.`,
  }
}
