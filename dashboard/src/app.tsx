import { useCallback, useEffect, useState } from 'react';
import { Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { navigate, useHashLocation } from 'wouter/use-hash-location';
import { api, must, onSignedOut, queryClient } from './api';
import { Layout } from './layout';
import { InvitePage } from './pages/invite';
import { SignInPage } from './pages/sign-in';
import { ROUTES } from './routes';
import { type Me, mayCall, rememberPlace, SessionContext, takePlace } from './session';

/** Where this tab keeps an invitation's token until it is used (a reload keeps it). */
const INVITE_TOKEN = 'passgate.inviteToken';

/**
 * An invitation link's token (`#invite=…`), taken out of the address bar at once and kept in
 * this tab's session storage until the invitation is taken, so that a reload before choosing a
 * password still has it. Another tab, or the tab once closed, has none.
 */
function takeInviteToken(): string | undefined {
  const match = /^#invite=([\w-]+)$/.exec(location.hash);
  if (match?.[1]) {
    history.replaceState(null, '', `${location.pathname}#/invite`);
    sessionStorage.setItem(INVITE_TOKEN, match[1]);
    return match[1];
  }
  return location.hash === '#/invite'
    ? (sessionStorage.getItem(INVITE_TOKEN) ?? undefined)
    : undefined;
}
const inviteToken = takeInviteToken();

export function App() {
  return (
    <Router hook={useHashLocation}>
      <Shell />
    </Router>
  );
}

function Shell() {
  const [location] = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      setMe(await must(api.GET('/me')));
    } catch {
      setMe(null);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  // Any 401 (the session expired mid-work): to sign-in, and back here afterwards.
  useEffect(
    () =>
      onSignedOut(() => {
        const here = currentPath();
        if (here !== '/sign-in' && here !== '/invite') rememberPlace(here);
        queryClient.clear();
        setMe(null);
      }),
    [],
  );

  const signedIn = async () => {
    sessionStorage.removeItem(INVITE_TOKEN);
    // Nothing read for whoever was signed in before is shown to whoever signs in now.
    queryClient.clear();
    await load();
    navigate(takePlace(), { replace: true });
  };

  if (location === '/invite' && inviteToken) {
    return <InvitePage token={inviteToken} onSignedIn={signedIn} />;
  }
  if (me === null) {
    if (location === '/sign-in') return <SignInPage onSignedIn={signedIn} />;
    if (location !== '/' && location !== '/invite') rememberPlace(location);
    return <Redirect to="/sign-in" replace />;
  }
  if (location === '/sign-in' || location === '/invite') {
    // Signed in (or about to know): the sign-in page has nothing to do.
    return me === undefined ? <p className="loading">Loading…</p> : <Redirect to="/" replace />;
  }

  const signOut = async () => {
    await api.DELETE('/session').catch(() => undefined);
    queryClient.clear();
    setMe(null);
    navigate('/sign-in');
  };
  return (
    <SessionContext.Provider value={{ me, signOut }}>
      <Layout>
        <Switch>
          {ROUTES.map(({ path, page: Page, needs, nav }) => (
            <Route key={path} path={path}>
              {(params) =>
                needs && me && !mayCall(me, needs) ? (
                  <>
                    <h1>{nav?.label ?? 'Not for your role'}</h1>
                    <p>
                      Only admins of your organisation work here. Ask one of them if you need
                      something done on this page.
                    </p>
                  </>
                ) : (
                  <Page params={params as Record<string, string | undefined>} />
                )
              }
            </Route>
          ))}
          <Route>
            <h1>Not found</h1>
            <p>There is no such page in the dashboard.</p>
          </Route>
        </Switch>
      </Layout>
    </SessionContext.Provider>
  );
}

const currentPath = () => `/${location.hash.replace(/^#?\/?/, '')}`;
