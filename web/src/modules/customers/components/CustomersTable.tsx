import { Alert, Center, Checkbox, Loader, Table, Text, UnstyledButton } from '@mantine/core'
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '@tabler/icons-react'
import { createColumnHelper, useTable, type SortingState } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import { useMediaQuery } from '@mantine/hooks'
import { useEffect, useMemo, useRef } from 'react'
import type { CustomerSort } from '@contracts/customers.ts'
import { errorMessage } from '../../../platform/api.ts'
import { plural } from '../../../platform/plural.ts'
import type { Customer, CustomerFilters } from '../api/customers.ts'
import { useCustomerList } from '../hooks/useCustomers.ts'
import { customerColumns, features, phoneColumns } from './customerColumns.tsx'

const rowHeight = 52
const emptyRows: Customer[] = []
const helper = createColumnHelper<typeof features, Customer>()

const toSorting = (sort: CustomerSort): SortingState => [
  { id: sort.replace(/^-/, ''), desc: sort.startsWith('-') },
]
const fromSorting = (sorting: SortingState): CustomerSort => {
  const [first] = sorting
  if (!first) return 'name'
  return `${first.desc ? '-' : ''}${first.id}` as CustomerSort
}

/**
 * The customers, read from the server a page at a time as the list scrolls; only the rows in
 * view are in the page, so it stays smooth however many customers there are.
 */
export function CustomersTable({
  filters,
  onSortChange,
  selected,
  onSelectedChange,
}: {
  filters: CustomerFilters
  onSortChange: (sort: CustomerSort) => void
  /** The customers ticked for a bulk action, by id. */
  selected: ReadonlySet<string>
  onSelectedChange: (selected: Set<string>) => void
}) {
  const list = useCustomerList(filters)
  const data = useMemo(
    () => list.data?.pages.flatMap((page) => page.data) ?? emptyRows,
    [list.data],
  )
  const columns = useMemo(() => {
    const allShown = data.length > 0 && data.every((c) => selected.has(c.id))
    const select = helper.display({
      id: 'select',
      size: 40,
      header: () => (
        <Checkbox
          aria-label="Select all customers shown"
          checked={allShown}
          indeterminate={!allShown && selected.size > 0}
          onChange={() => onSelectedChange(allShown ? new Set() : new Set(data.map((c) => c.id)))}
        />
      ),
      cell: ({ row }) => (
        <Checkbox
          aria-label={`Select ${row.original.name}`}
          checked={selected.has(row.original.id)}
          onChange={() => {
            const next = new Set(selected)
            if (next.has(row.original.id)) next.delete(row.original.id)
            else next.add(row.original.id)
            onSelectedChange(next)
          }}
        />
      ),
    })
    return [select, ...customerColumns]
  }, [data, selected, onSelectedChange])
  const sorting = toSorting(filters.sort)
  const phone = useMediaQuery('(max-width: 48em)')
  const table = useTable({
    features,
    columns,
    data,
    getRowId: (row) => row.id,
    manualSorting: true,
    enableSortingRemoval: false,
    state: { sorting, columnVisibility: phone ? phoneColumns : {} },
    onSortingChange: (updater) =>
      onSortChange(fromSorting(typeof updater === 'function' ? updater(sorting) : updater)),
  })
  const rows = table.getRowModel().rows
  const scrollRef = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.at(-1)?.index ?? 0
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - 30) {
      void fetchNextPage()
    }
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastIndex, rows.length])

  // A new search, filter or order starts at the top of the list.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 })
  }, [filters])

  const columnCount = table.getVisibleLeafColumns().length
  const top = items[0]?.start ?? 0
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0)

  return (
    <Table.ScrollContainer
      type="native"
      minWidth={phone ? 0 : 1200}
      maxHeight="calc(100dvh - 220px)"
      ref={scrollRef}
      tabIndex={0}
      role="region"
      aria-label="Customers list"
      aria-busy={list.isFetching}
    >
      <Table stickyHeader highlightOnHover aria-label="Customers" aria-rowcount={-1}>
        <Table.Thead>
          {table.getHeaderGroups().map((group) => (
            <Table.Tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted()
                const Icon =
                  sorted === 'asc'
                    ? IconArrowUp
                    : sorted === 'desc'
                      ? IconArrowDown
                      : IconArrowsSort
                return (
                  <Table.Th
                    key={header.id}
                    style={{ width: header.getSize(), whiteSpace: 'nowrap' }}
                    aria-sort={
                      sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                    }
                  >
                    {header.column.getCanSort() ? (
                      <UnstyledButton
                        onClick={header.column.getToggleSortingHandler()}
                        fw={700}
                        fz="sm"
                        style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}
                      >
                        <table.FlexRender header={header} />
                        <Icon size={14} aria-hidden />
                      </UnstyledButton>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </Table.Th>
                )
              })}
            </Table.Tr>
          ))}
        </Table.Thead>
        <Table.Tbody>
          {top > 0 && (
            <tr aria-hidden>
              <td colSpan={columnCount} style={{ height: top, padding: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index]
            if (!row) return null
            return (
              <Table.Tr key={row.id} style={{ height: rowHeight }} aria-rowindex={item.index + 2}>
                {row.getVisibleCells().map((cell) => (
                  <Table.Td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </Table.Td>
                ))}
              </Table.Tr>
            )
          })}
          {bottom > 0 && (
            <tr aria-hidden>
              <td colSpan={columnCount} style={{ height: bottom, padding: 0 }} />
            </tr>
          )}
        </Table.Tbody>
      </Table>
      <TableFooter list={list} shown={rows.length} />
    </Table.ScrollContainer>
  )
}

function TableFooter({ list, shown }: { list: ReturnType<typeof useCustomerList>; shown: number }) {
  if (list.isPending || list.isFetchingNextPage) {
    return (
      <Center p="md">
        <Loader size="sm" aria-label="Loading customers" />
      </Center>
    )
  }
  if (list.error) {
    return (
      <Alert color="red" role="alert" m="md" title="The customers could not be loaded">
        {errorMessage(list.error)}
      </Alert>
    )
  }
  return (
    <Text c="dimmed" size="sm" p="md" role="status">
      {shown === 0
        ? 'No customers match.'
        : `${plural(shown, 'customer')}${list.hasNextPage ? ' shown; scroll for more' : ''}.`}
    </Text>
  )
}
