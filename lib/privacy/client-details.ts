import type { Lead } from '../db/schema';
import type { DetailsLead } from '../sms/templates';

/** What a buyer is sent of a lead: undefined once the client's data is erased (lib/privacy/erase-client.ts). */
export function clientDetails(lead: Lead): DetailsLead | undefined {
  const { name, phone, description } = lead;
  if (lead.erasedAt !== null || name === null || phone === null || description === null) return undefined;
  return { ...lead, name, phone, description };
}
