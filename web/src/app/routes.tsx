import type { RouteObject } from 'react-router'
import { Navigate } from 'react-router'
import { lazy, type ComponentType } from 'react'
import { AppLayout } from '../modules/layout/components/AppLayout.tsx'
import { RequireSession } from '../modules/session/components/RequireSession.tsx'
import { allStyles } from './styles.ts'

/** The pages a visit starts on: they show with the first paint's styles (first-paint.css). */
const firstPages = new Set(['SignInPage', 'CustomersPage', 'NotFoundPage'])

/**
 * A page loaded when first shown: each page is a chunk of its own, so the first load stays
 * small. The others wait for all of Mantine's styles, which load as the app starts.
 */
function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => {
    const [module] = await Promise.all([load(), firstPages.has(name) ? null : allStyles])
    return { default: module[name] }
  })
}

const CustomerPage = lazyPage(() => import('../pages/CustomerPage.tsx'), 'CustomerPage')
const CustomersPage = lazyPage(() => import('../pages/CustomersPage.tsx'), 'CustomersPage')
const ImportsPage = lazyPage(() => import('../pages/ImportsPage.tsx'), 'ImportsPage')
const NotFoundPage = lazyPage(() => import('../pages/NotFoundPage.tsx'), 'NotFoundPage')
const ProfilePage = lazyPage(() => import('../pages/ProfilePage.tsx'), 'ProfilePage')
const SettingsPage = lazyPage(() => import('../pages/SettingsPage.tsx'), 'SettingsPage')
const SignInPage = lazyPage(() => import('../pages/SignInPage.tsx'), 'SignInPage')
const AcceptInvitationPage = lazyPage(
  () => import('../pages/AcceptInvitationPage.tsx'),
  'AcceptInvitationPage',
)
const ForgotPasswordPage = lazyPage(
  () => import('../pages/ForgotPasswordPage.tsx'),
  'ForgotPasswordPage',
)
const ResetPasswordPage = lazyPage(
  () => import('../pages/ResetPasswordPage.tsx'),
  'ResetPasswordPage',
)
const SignUpPage = lazyPage(() => import('../pages/SignUpPage.tsx'), 'SignUpPage')

/** The screens of a signed-in member, inside the header and menu; add a screen here. */
const screens: RouteObject[] = [
  { index: true, element: <Navigate to="/customers" replace /> },
  { path: 'customers', element: <CustomersPage /> },
  { path: 'customers/:id', element: <CustomerPage /> },
  { path: 'imports/*', element: <ImportsPage /> },
  { path: 'settings/*', element: <SettingsPage /> },
  { path: 'profile', element: <ProfilePage /> },
  { path: '*', element: <NotFoundPage /> },
]

export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password', element: <ResetPasswordPage /> },
  { path: '/invitation', element: <AcceptInvitationPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: screens,
  },
]
