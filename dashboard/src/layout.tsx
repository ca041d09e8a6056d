import type { ReactNode } from 'react';
import { Link, useRoute } from 'wouter';
import { ROUTES } from './routes';
import { mayCall, useSession } from './session';

function NavLink({ href, label }: { href: string; label: string }) {
  const [exact] = useRoute(href);
  const [nested] = useRoute(`${href}/*`);
  const active = exact || (href !== '/' && nested);
  return (
    <li>
      {/* The `?` clears the filters of the page being left from the address. */}
      <Link href={`${href}?`} aria-current={active ? 'page' : undefined}>
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
          {ROUTES.flatMap(({ path, nav, needs }) =>
            nav && (!needs || mayCall(me, needs))
              ? [<NavLink key={path} href={path} label={nav.label} />]
              : [],
          )}
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
