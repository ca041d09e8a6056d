import type { OperationId } from '@passgate/client';
import type { ComponentType } from 'react';
import { AccountPage } from './pages/account';
import { ClientPage, ClientsPage } from './pages/clients';
import { DoorsPage } from './pages/doors';
import { KeysPage } from './pages/keys';
import { OverviewPage } from './pages/overview';
import { PassPage } from './pages/pass';
import { NewPassPage, PassesPage } from './pages/passes';
import { ScansPage } from './pages/scans';
import { UsersPage } from './pages/users';
import { WebhooksPage } from './pages/webhooks';

export interface DashboardRoute {
  /** wouter's pattern, under the hash: `/passes/:id`. */
  path: string;
  page: ComponentType<{ params: Record<string, string | undefined> }>;
  /** In the navigation, shown to whoever may call the operation it `lists`, if it names one. */
  nav?: { label: string; lists?: OperationId };
}

/** The signed-in pages: the router's table and the navigation's, in the navigation's order. */
export const ROUTES: readonly DashboardRoute[] = [
  { path: '/', page: OverviewPage, nav: { label: 'Overview' } },
  { path: '/passes', page: PassesPage, nav: { label: 'Passes' } },
  { path: '/passes/new', page: NewPassPage },
  { path: '/passes/:id', page: ({ params }) => <PassPage id={params.id ?? ''} /> },
  { path: '/clients', page: ClientsPage, nav: { label: 'Clients' } },
  { path: '/clients/:id', page: ({ params }) => <ClientPage id={params.id ?? ''} /> },
  { path: '/scans', page: ScansPage, nav: { label: 'Scans' } },
  { path: '/doors', page: DoorsPage, nav: { label: 'Doors' } },
  { path: '/keys', page: KeysPage, nav: { label: 'API keys', lists: 'listKeys' } },
  { path: '/webhooks', page: WebhooksPage, nav: { label: 'Webhooks', lists: 'listWebhooks' } },
  { path: '/users', page: UsersPage, nav: { label: 'Users', lists: 'listUsers' } },
  { path: '/account', page: AccountPage, nav: { label: 'Account' } },
];
