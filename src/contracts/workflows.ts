import { z } from 'zod'

export const workflowCreate = z.strictObject({
  name: z.string().trim().min(1, 'Give the workflow a name.').max(200),
})
export const workflow = z.object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime() })
export type Workflow = z.infer<typeof workflow>
