import { Center, Paper, Stack, Text, Title } from '@mantine/core'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { SignInForm } from '../modules/session/components/SignInForm.tsx'
import { useSession } from '../modules/session/hooks/useSession.ts'

export function SignInPage() {
  const navigate = useNavigate()
  const location = useLocation()
  const { data: session } = useSession()
  const from = (location.state as { from?: string } | null)?.from ?? '/customers'
  if (session) return <Navigate to={from} replace />
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack>
          <div>
            <Title order={1} size="h2">
              Roster
            </Title>
            <Text c="dimmed">Sign in to your organisation.</Text>
          </div>
          <SignInForm onSignedIn={() => void navigate(from, { replace: true })} />
        </Stack>
      </Paper>
    </Center>
  )
}
