import { z } from 'zod'
import { emailField, optionalText, warning } from './common.ts'

export const contactRoles = ['ACCOUNTING', 'SALES', 'PURCHASER', 'PAYER'] as const
export type ContactRole = (typeof contactRoles)[number]

export const roleField = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(
    z.enum(contactRoles, { error: 'Role must be one of Accounting, Sales, Purchaser or Payer.' }),
  )

const contactFields = {
  email: emailField,
  firstName: optionalText(200),
  lastName: optionalText(200),
  phone: optionalText(50),
  externalId: optionalText(200),
  role: roleField.nullable().optional(),
  isMain: z.boolean().optional(),
}

export const contactCreate = z.strictObject(contactFields)
export const contactPatch = z.strictObject(contactFields).partial()
export type ContactCreate = z.infer<typeof contactCreate>
export type ContactPatch = z.infer<typeof contactPatch>

export const contact = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  externalId: z.string().nullable(),
  role: z.enum(contactRoles).nullable(),
  isMain: z.boolean(),
  source: z.string(),
  /** The source whose sync owns this contact: Roster refuses changes to it. */
  lockedBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Contact = z.infer<typeof contact>

export const contactWritten = contact.extend({ warnings: z.array(warning) })
