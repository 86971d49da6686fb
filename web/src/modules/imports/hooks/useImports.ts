import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  cancelImport,
  discardImport,
  fetchHistory,
  fetchImport,
  fetchPreview,
  fetchRejectedCells,
  fetchRejectedLines,
  fetchUnknownValues,
  readAgain,
  retryImport,
  startImport,
  undoImport,
  type ImportRecord,
  type ReadChoice,
} from '../api/imports.ts'
import type { RetryBody } from '@contracts/imports.ts'
import { isActive, type ImportStatus } from '../format.ts'

export const importKeys = {
  all: ['imports'] as const,
  history: (cursor: string | null) => ['imports', 'history', cursor] as const,
  record: (id: string) => ['imports', 'record', id] as const,
  preview: (id: string) => ['imports', 'preview', id] as const,
  rejected: (id: string) => ['imports', 'rejected', id] as const,
  values: (id: string) => ['imports', 'values', id] as const,
}

/** How often a running import is read again: its progress bar moves at this pace. */
const pollMs = 1000

/** One import; read again every second while it waits or runs. */
export function useImport(id: string) {
  return useQuery({
    queryKey: importKeys.record(id),
    queryFn: ({ signal }) => fetchImport(id, signal),
    refetchInterval: (query) =>
      query.state.data && isActive(query.state.data.status) ? pollMs : false,
    refetchIntervalInBackground: true,
  })
}

export function usePreview(id: string, enabled: boolean) {
  return useQuery({
    queryKey: importKeys.preview(id),
    queryFn: () => fetchPreview(id),
    enabled,
    staleTime: Infinity,
  })
}

export function useHistory(
  cursor: string | null,
  limit: number,
  status: readonly ImportStatus[] | null,
) {
  return useQuery({
    queryKey: [...importKeys.history(cursor), limit, status],
    queryFn: () => fetchHistory(cursor, limit, status),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.data.some((row) => isActive(row.status)) ? 2 * pollMs : false,
  })
}

/** The values of the file no role is known by, after the last dry run. */
export function useUnknownValues(id: string, enabled: boolean) {
  return useQuery({
    queryKey: importKeys.values(id),
    queryFn: () => fetchUnknownValues(id),
    enabled,
  })
}

export function useRejectedLines(id: string, cursor: string | null, limit: number) {
  return useQuery({
    queryKey: [...importKeys.rejected(id), cursor, limit],
    queryFn: () => fetchRejectedLines(id, cursor, limit),
    placeholderData: keepPreviousData,
  })
}

export function useRejectedCells(id: string, cursor: string | null, limit: number) {
  return useQuery({
    queryKey: [...importKeys.rejected(id), 'cells', cursor, limit],
    queryFn: () => fetchRejectedCells(id, cursor, limit),
    placeholderData: keepPreviousData,
  })
}

/** Keeps the cached import in step with an answer that carries it. */
function useStoreRecord() {
  const queryClient = useQueryClient()
  return (record: ImportRecord) => {
    queryClient.setQueryData(importKeys.record(record.id), record)
    void queryClient.invalidateQueries({ queryKey: ['imports', 'history'] })
  }
}

export function useReadAgain(id: string) {
  const queryClient = useQueryClient()
  const store = useStoreRecord()
  return useMutation({
    mutationFn: (choice: ReadChoice) => readAgain(id, choice),
    meta: { ownErrors: true },
    onSuccess: (preview) => {
      queryClient.setQueryData(importKeys.preview(id), preview)
      store(preview)
    },
  })
}

export function useStartImport(id: string) {
  const store = useStoreRecord()
  return useMutation({ mutationFn: () => startImport(id), onSuccess: store })
}

export function useCancelImport(id: string) {
  const store = useStoreRecord()
  return useMutation({ mutationFn: () => cancelImport(id), onSuccess: store })
}

/** Imports the fixed lines: the follow-up import is a new import, linked to this one. */
export function useRetryImport(id: string) {
  const queryClient = useQueryClient()
  const store = useStoreRecord()
  return useMutation({
    mutationFn: (body: RetryBody) => retryImport(id, body),
    meta: { ownErrors: true },
    onSuccess: (record) => {
      store(record)
      void queryClient.invalidateQueries({ queryKey: importKeys.record(id) })
    },
  })
}

/** Undoing an import changes customers and contacts: their cached pages are read again. */
export function useUndoImport(id: string) {
  const queryClient = useQueryClient()
  const store = useStoreRecord()
  return useMutation({
    mutationFn: () => undoImport(id),
    onSuccess: (record) => {
      store(record)
      void queryClient.invalidateQueries({ queryKey: ['customers'] })
    },
  })
}

/** Discards an import never submitted: it leaves the history. */
export function useDiscardImport() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => discardImport(id),
    onSuccess: (_answer, id) => {
      queryClient.removeQueries({ queryKey: importKeys.record(id) })
      void queryClient.invalidateQueries({ queryKey: ['imports', 'history'] })
    },
  })
}
