import { Anchor, Text } from '@mantine/core'
import { Link } from 'react-router'
import { PageTitle } from '../platform/PageTitle.tsx'

export function NotFoundPage() {
  return (
    <>
      <PageTitle title="Page not found" />
      <Text>
        There is nothing at this address.{' '}
        <Anchor component={Link} to="/customers">
          Go to the customers
        </Anchor>
        .
      </Text>
    </>
  )
}
