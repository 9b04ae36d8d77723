import { config } from '../config';

/** The short link put in SMS: `PUBLIC_BASE_URL/p/<token>`. */
export const payUrl = (token: string): string => `${config().publicBaseUrl}/p/${token}`;
