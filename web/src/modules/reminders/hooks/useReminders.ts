import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { customersKey } from '../../customers/hooks/useCustomers.ts'
import { fetchDraft, sendReminder, type ReminderCreate } from '../api/reminders.ts'

export const useReminderDraft = (customerId: string, stepId: string | null) =>
  useQuery({
    queryKey: [...customersKey, 'reminder-draft', customerId, stepId] as const,
    queryFn: () => fetchDraft(customerId, stepId ?? ''),
    enabled: stepId !== null,
    // The member edits the draft: it is not refreshed under their hands.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  })

/** Sends a reminder; the customer's contacts and history refresh (a contact may be new). */
export function useSendReminder(customerId: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (input: ReminderCreate) => sendReminder(customerId, input),
    meta: { ownErrors: true },
    onSuccess: () => client.invalidateQueries({ queryKey: customersKey }),
  })
}
