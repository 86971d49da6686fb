import type { ColumnMapping } from '@contracts/imports.ts'
import { useDebouncedValue } from '@mantine/hooks'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '../../../platform/api.ts'
import { checkMapping, type DryRun, type ValueMap } from '../api/imports.ts'
import { isComplete } from '../fields.ts'
import { importKeys } from './useImports.ts'

/** The dry run of one mapping, or why the API refused it. */
export interface Check {
  key: string
  result?: DryRun
  error?: ApiError
}

/**
 * Dry runs of the mapping being edited. The API checks the whole file each time, so one check
 * runs at a time and the latest mapping wins. With `auto` (small files), a complete mapping is
 * checked once the member pauses, so problems show on the preview's cells as they map.
 *
 * `scope` names how the file is read: reading it again makes earlier checks stale.
 */
export function useMappingCheck(
  importId: string,
  scope: string,
  mapping: ColumnMapping | null,
  auto: boolean,
  /** What the file's unknown values mean, as the member chose in the value mapping step. */
  valueMap: ValueMap,
) {
  const queryClient = useQueryClient()
  const mutation = useMutation({
    mutationFn: (next: { mapping: ColumnMapping; valueMap: ValueMap }) =>
      checkMapping(importId, next.mapping, next.valueMap),
    meta: { ownErrors: true },
  })
  const { mutateAsync } = mutation
  const [checked, setChecked] = useState<Check | null>(null)
  const [pending, setPending] = useState(0)
  const running = useRef<{ key: string; promise: Promise<Check> } | null>(null)
  const key = mapping ? JSON.stringify([scope, mapping, valueMap]) : ''

  const run = useCallback(
    (next: ColumnMapping): Promise<Check> => {
      const nextKey = JSON.stringify([scope, next, valueMap])
      if (running.current?.key === nextKey) return running.current.promise
      const before = running.current?.promise ?? Promise.resolve(null)
      const promise: Promise<Check> = before
        .then(() => mutateAsync({ mapping: next, valueMap }))
        .then(
          (result): Check => {
            queryClient.setQueryData(importKeys.record(importId), result)
            void queryClient.invalidateQueries({ queryKey: importKeys.rejected(importId) })
            queryClient.setQueryData(importKeys.values(importId), result.unknownValues)
            return { key: nextKey, result }
          },
          (error: unknown): Check => ({
            key: nextKey,
            error:
              error instanceof ApiError
                ? error
                : new ApiError(0, 'internal', 'The file could not be checked; try again.'),
          }),
        )
        .then((check) => {
          if (running.current?.promise === promise) running.current = null
          setChecked(check)
          setPending((count) => count - 1)
          return check
        })
      running.current = { key: nextKey, promise }
      setPending((count) => count + 1)
      return promise
    },
    [importId, scope, valueMap, mutateAsync, queryClient],
  )

  const [settledKey] = useDebouncedValue(key, 600)
  useEffect(() => {
    if (!auto || !mapping || settledKey !== key || !isComplete(mapping)) return
    if (checked?.key === key || running.current?.key === key) return
    void run(mapping)
  }, [auto, mapping, key, settledKey, checked, run])

  const current = checked?.key === key ? checked : null
  return {
    /** The check of the mapping as it is now, once it has answered. */
    current,
    checking: pending > 0,
    /** The dry run of the mapping as it is now: reuses its answer, or checks (again). */
    ensure: useCallback(
      (): Promise<Check> =>
        current?.result
          ? Promise.resolve(current)
          : mapping
            ? run(mapping)
            : Promise.resolve({
                key,
                error: new ApiError(0, 'bad_request', 'Map the columns of the file first.'),
              }),
      [current, key, mapping, run],
    ),
  }
}
