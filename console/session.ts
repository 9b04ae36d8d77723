/**
 * Who is signed in (`GET /admin/session`), for the pages that hide what the role cannot do; the
 * server checks every request anyway (a 403 names what is needed).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './types';

export const SessionContext = createContext<Session | undefined>(undefined);

export const useSession = (): Session | undefined => useContext(SessionContext);
