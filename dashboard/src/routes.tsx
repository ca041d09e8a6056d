import type { OperationId } from '@passgate/client';
import type { ComponentType } from 'react';
import { AccountPage } from './pages/account';
import { ClientPage, ClientsPage } from './pages/clients';
import { DoorsPage } from './pages/doors';
import { KeysPage } from './pages/keys';
import { LocationsPage } from './pages/locations';
import { OverviewPage } from './pages/overview';
import { PassPage } from './pages/pass';
import { NewPassPage, PassesPage } from './pages/passes';
import { ScansPage } from './pages/scans';
import { TemplatesPage } from './pages/templates';
import { UsersPage } from './pages/users';
import { WebhooksPage } from './pages/webhooks';

export interface DashboardRoute {
  /** wouter's pattern, under the hash: `/passes/:id`. */
  path: string;
  page: ComponentType<{ params: Record<string, string | undefined> }>;
  /**
   * The operation the page is for, if only some may call it: the page, and its place in the
   * navigation, are for whoever may (the API's `x-access`); others are told whom to ask.
   */
  needs?: OperationId;
  /** Its place in the navigation, if it has one. */
  nav?: { label: string };
}

/**
 * The signed-in pages: the router's table and the navigation's, in the navigation's order. A
 * page of one pass or client is keyed by its id, so another one starts afresh (no form left open).
 */
export const ROUTES: readonly DashboardRoute[] = [
  { path: '/', page: OverviewPage, nav: { label: 'Overview' } },
  { path: '/passes', page: PassesPage, nav: { label: 'Passes' } },
  { path: '/passes/new', page: NewPassPage },
  { path: '/passes/:id', page: ({ params }) => <PassPage key={params.id} id={params.id ?? ''} /> },
  { path: '/clients', page: ClientsPage, nav: { label: 'Clients' } },
  {
    path: '/clients/:id',
    page: ({ params }) => <ClientPage key={params.id} id={params.id ?? ''} />,
  },
  { path: '/locations', page: LocationsPage, nav: { label: 'Locations' } },
  { path: '/templates', page: TemplatesPage, nav: { label: 'Templates' } },
  { path: '/scans', page: ScansPage, nav: { label: 'Scans' } },
  { path: '/doors', page: DoorsPage, nav: { label: 'Doors' } },
  { path: '/keys', page: KeysPage, needs: 'listKeys', nav: { label: 'API keys' } },
  { path: '/webhooks', page: WebhooksPage, needs: 'listWebhooks', nav: { label: 'Webhooks' } },
  { path: '/users', page: UsersPage, needs: 'listUsers', nav: { label: 'Users' } },
  { path: '/account', page: AccountPage, nav: { label: 'Account' } },
];
