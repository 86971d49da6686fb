import { contactRoles, type ContactRole } from '@contracts/contacts.ts'

export const roleLabels: Record<ContactRole, string> = {
  ACCOUNTING: 'Accounting',
  SALES: 'Sales',
  PURCHASER: 'Purchaser',
  PAYER: 'Payer',
}

export const roleOptions = contactRoles.map((value) => ({ value, label: roleLabels[value] }))
