import { z } from 'zod'
import { toCountryCode } from './country.ts'

/** Optional free text: trimmed; an empty string clears the value like null does. */
export const optionalText = (max = 500) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((value) => (value === '' ? null : value))
    .nullable()
    .optional()

export const emailField = z
  .string()
  .trim()
  .pipe(z.email({ error: 'Enter a valid email address, like name@company.com.' }))

export const countryField = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (value === '') return null
    const code = toCountryCode(value)
    if (!code) {
      ctx.addIssue({
        code: 'custom',
        message: `Unknown country "${value}"; use a country name or its ISO code (FR, DE, US…).`,
      })
      return z.NEVER
    }
    return code
  })

const currencies = new Set(Intl.supportedValuesOf('currency'))
export const currencyField = z
  .string()
  .trim()
  .transform((value, ctx) => {
    if (value === '') return null
    const code = value.toUpperCase()
    if (!currencies.has(code)) {
      ctx.addIssue({
        code: 'custom',
        message: `Unknown currency "${value}"; use an ISO code (EUR, USD…).`,
      })
      return z.NEVER
    }
    return code
  })

export const idParams = z.strictObject({ id: z.uuid({ error: 'Not a valid id.' }) })

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
}

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() })

export const errorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().optional(), message: z.string() })),
  }),
})

export const warning = z.object({ field: z.string(), message: z.string() })
export type Warning = z.infer<typeof warning>
