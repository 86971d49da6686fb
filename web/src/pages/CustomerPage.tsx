import {
  Alert,
  Anchor,
  Breadcrumbs,
  Button,
  Center,
  Grid,
  Group,
  Loader,
  Stack,
} from '@mantine/core'
import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { CustomerLifecycle } from '../modules/customers/components/CustomerLifecycle.tsx'
import { ContactsCard } from '../modules/contacts/components/ContactsCard.tsx'
import { AssignmentCard } from '../modules/customers/components/AssignmentCard.tsx'
import { CustomerDetailsCard } from '../modules/customers/components/CustomerDetailsCard.tsx'
import { HistoryCard } from '../modules/customers/components/HistoryCard.tsx'
import { SourceBadge } from '../modules/customers/components/SourceBadge.tsx'
import { SendReminderModal } from '../modules/reminders/components/SendReminderModal.tsx'
import { useCustomer } from '../modules/customers/hooks/useCustomer.ts'
import { errorMessage } from '../platform/api.ts'
import { PageTitle } from '../platform/PageTitle.tsx'

export function CustomerPage() {
  const { id = '' } = useParams()
  const customer = useCustomer(id)
  const [sending, setSending] = useState(false)
  const crumbs = (
    <Breadcrumbs mb="xs">
      <Anchor component={Link} to="/customers" size="sm">
        Customers
      </Anchor>
      {customer.data && <span>{customer.data.name}</span>}
    </Breadcrumbs>
  )
  if (customer.isPending) {
    return (
      <Center p="xl">
        <Loader aria-label="Loading the customer" />
      </Center>
    )
  }
  if (customer.error) {
    return (
      <>
        {crumbs}
        <Alert color="red" role="alert" title="This customer cannot be shown">
          {errorMessage(customer.error)}
        </Alert>
      </>
    )
  }
  const data = customer.data
  return (
    <>
      {crumbs}
      <PageTitle
        title={data.name}
        actions={
          <Group>
            <SourceBadge source={data.source} />
            {!data.archivedAt && <Button onClick={() => setSending(true)}>Send a reminder</Button>}
            <CustomerLifecycle customer={data} />
          </Group>
        }
      />
      {data.archivedAt && (
        <Alert color="gray" mb="md" title="This customer is archived">
          Archived on {new Date(data.archivedAt).toLocaleDateString()}: it is not in the customers
          list and receives no reminders. Restore it to change it again.
        </Alert>
      )}
      {sending && <SendReminderModal customer={data} opened onClose={() => setSending(false)} />}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack>
            <CustomerDetailsCard customer={data} />
            <ContactsCard customer={data} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack>
            <AssignmentCard customer={data} />
            <HistoryCard customerId={data.id} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  )
}
