import type { OperationId } from '@passgate/client';
import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { mayCall, useSession } from './session';

/** The pages, each shown to whoever may call the operation it `lists`, if it names one. */
const PAGES: { href: string; label: string; lists?: OperationId }[] = [
  { href: '/', label: 'Overview' },
  { href: '/passes', label: 'Passes' },
  { href: '/clients', label: 'Clients' },
  { href: '/scans', label: 'Scans' },
  { href: '/doors', label: 'Doors' },
  { href: '/keys', label: 'API keys', lists: 'listKeys' },
  { href: '/webhooks', label: 'Webhooks', lists: 'listWebhooks' },
  { href: '/users', label: 'Users', lists: 'listUsers' },
  { href: '/account', label: 'Account' },
];

function NavLink({ href, label }: { href: string; label: string }) {
  const [exact] = useRoute(href);
  const [nested] = useRoute(`${href}/*`);
  const active = exact || (href !== '/' && nested);
  return (
    <li>
      <Link href={href} aria-current={active ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const who = !me ? '' : me.user ? (me.user.name ?? me.user.email) : `key ${me.key?.prefix}…`;
  return (
    <>
      <button type="button" className="skip" onClick={focusMain}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">
          Passgate
          {me && (
            <>
              {' '}
              · <strong>{me.tenant.name}</strong>
            </>
          )}
        </span>
        <span className="who">
          {me && `${who} (${me.role})`}
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <nav aria-label="Dashboard">
        <ul>
          {PAGES.filter((page) => !page.lists || mayCall(me, page.lists)).map((page) => (
            <NavLink key={page.href} href={page.href} label={page.label} />
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A skip link (a button, as `#main` would change the hash route): focuses the page's content. */
function focusMain() {
  document.getElementById('main')?.focus();
}
