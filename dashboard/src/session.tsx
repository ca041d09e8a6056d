import { mayCall as canCall, type OperationId } from '@passgate/client';
import { createContext, useContext } from 'react';
import type { Schemas } from './api';

export type Me = Schemas['Me'];

/**
 * Who is signed in, and how to sign out. `me` is undefined while `GET /me` is on its way: the
 * page's own requests go out beside it rather than after it.
 */
export const SessionContext = createContext<{
  me: Me | undefined;
  signOut(): Promise<void>;
} | null>(null);

export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside the signed-in pages');
  return session;
}

export const isAdmin = (me: Me | undefined) => me?.role === 'admin';

/**
 * Whether the signed-in caller may call an operation, as the API's `x-access` says.
 */
export function mayCall(me: Me | undefined, operation: OperationId) {
  if (me?.key) return canCall(operation, me.key.scope === 'full' ? 'full-key' : 'scan-key');
  return me?.user ? canCall(operation, me.user.role) : false;
}

/** Where to go back to after signing in again: the page the person was on. */
const RETURN_TO = 'passgate.returnTo';
export const rememberPlace = (path: string) => sessionStorage.setItem(RETURN_TO, path);
export function takePlace(): string {
  const place = sessionStorage.getItem(RETURN_TO);
  sessionStorage.removeItem(RETURN_TO);
  return place?.startsWith('/') && place !== '/sign-in' ? place : '/';
}
