import type { FieldGroup, ImportField } from '../../../contracts/imports.ts'

export interface FieldInfo {
  group: FieldGroup
  label: string
  description: string
}

/** What the mapping step shows for each field; labels are the column names of the templates. */
export const fieldInfo: Record<ImportField, FieldInfo> = {
  'customer.name': {
    group: 'customer',
    label: 'Customer name',
    description: 'Identifies the customer in Roster: lists, customer page, reminders.',
  },
  'customer.externalId': {
    group: 'customer',
    label: 'Customer ID',
    description:
      'Unique ID of the customer, handy when several customers share a name; it should match the ' +
      'reference on your invoices. When assigning account managers and workflows it is the ' +
      'External ID: the customer’s ID in your source system.',
  },
  'customer.accountingCode': {
    group: 'customer',
    label: 'Accounting code',
    description: 'The customer’s account in your accounting, like 411DUPONT.',
  },
  'customer.vatNumber': {
    group: 'customer',
    label: 'VAT number',
    description: 'Intra-community VAT number, like FR40123456789.',
  },
  'customer.address': {
    group: 'customer',
    label: 'Address',
    description: 'Street and number.',
  },
  'customer.postalCode': { group: 'customer', label: 'Postal code', description: 'Postal code.' },
  'customer.city': { group: 'customer', label: 'City', description: 'City.' },
  'customer.country': {
    group: 'customer',
    label: 'Country',
    description: 'Country name in English or French, or its ISO code (France, FR…).',
  },
  'group.name': {
    group: 'group',
    label: 'Group name',
    description: 'On a subsidiary’s line: the name of its group (the parent customer).',
  },
  'group.externalId': {
    group: 'group',
    label: 'Group ID',
    description: 'On a subsidiary’s line: the Customer ID of its group.',
  },
  'assignment.accountManagers': {
    group: 'assignment',
    label: 'Account manager',
    description:
      'Email of a member with the Account manager role; separate several emails with a comma. ' +
      'The list replaces the customer’s account managers.',
  },
  'assignment.workflow': {
    group: 'assignment',
    label: 'Workflow',
    description: 'Name of the workflow as shown in Roster.',
  },
  'contact.email': {
    group: 'contact',
    label: 'Contact email',
    description: 'Identifies the contact within its customer.',
  },
  'contact.firstName': { group: 'contact', label: 'First name', description: 'First name.' },
  'contact.lastName': { group: 'contact', label: 'Family name', description: 'Family name.' },
  'contact.phone': { group: 'contact', label: 'Phone number', description: 'Phone number.' },
  'contact.externalId': {
    group: 'contact',
    label: 'Contact ID',
    description:
      'The contact’s ID in your source system; import it if the contact will be synced later.',
  },
  'contact.role': {
    group: 'contact',
    label: 'Role',
    description:
      'Accounting, Sales, Purchaser or Payer; reminders choose their recipients by role.',
  },
  'contact.isMain': {
    group: 'contact',
    label: 'Main contact',
    description: 'Put 1 on the main contact’s line; one per customer, the last line wins.',
  },
}
