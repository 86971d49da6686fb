import { Alert, Button, Card, Group, Stack, Switch, Text, TextInput, Title } from '@mantine/core'
import { useState, type SubmitEvent } from 'react'
import { ApiError, errorMessage } from '../../../platform/api.ts'
import type { Profile } from '../api/notifications.ts'
import { useUpdateProfile } from '../hooks/useNotifications.ts'

/** The member's name and how they want to be told that an import finished or failed. */
export function ProfileForm({ profile }: { profile: Profile }) {
  const [name, setName] = useState(profile.name ?? '')
  const [prefs, setPrefs] = useState({
    ...profile.notifications,
    slackWebhookUrl: profile.notifications.slackWebhookUrl ?? '',
  })
  const save = useUpdateProfile()
  const error = save.error
  const fieldError = (path: string) =>
    error instanceof ApiError ? error.fieldError(path) : undefined
  const submit = (event: SubmitEvent): void => {
    event.preventDefault()
    save.mutate({ name, notifications: prefs })
  }
  return (
    <form onSubmit={submit} aria-label="Profile" noValidate>
      <Stack maw={640}>
        {error && (
          <Alert color="red" role="alert" title="Not saved">
            {errorMessage(error)}
          </Alert>
        )}
        <Card withBorder padding="lg">
          <Title order={2} size="h4" mb="sm">
            You
          </Title>
          <Stack>
            <TextInput
              label="Name"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              error={fieldError('name')}
            />
            <Text size="sm">
              Email: <b>{profile.email}</b> · Role: <b>{profile.role.replace('_', ' ')}</b>
            </Text>
          </Stack>
        </Card>
        <Card withBorder padding="lg">
          <Title order={2} size="h4" mb="xs">
            Notifications
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            How you are told that an import you started has finished or failed.
          </Text>
          <Stack>
            <Switch
              label="In Roster (the bell)"
              checked={prefs.inApp}
              onChange={(event) => setPrefs({ ...prefs, inApp: event.currentTarget.checked })}
            />
            <Switch
              label="By email"
              checked={prefs.email}
              onChange={(event) => setPrefs({ ...prefs, email: event.currentTarget.checked })}
            />
            <Switch
              label="On Slack"
              checked={prefs.slack}
              onChange={(event) => setPrefs({ ...prefs, slack: event.currentTarget.checked })}
            />
            <TextInput
              label="Slack webhook URL"
              description="Create an incoming webhook in Slack for the channel to post to, and paste its URL."
              placeholder="https://hooks.slack.com/services/…"
              value={prefs.slackWebhookUrl}
              onChange={(event) =>
                setPrefs({ ...prefs, slackWebhookUrl: event.currentTarget.value })
              }
              error={fieldError('notifications.slackWebhookUrl')}
            />
          </Stack>
        </Card>
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save profile
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
