import { audited } from '../lib/audit/audited';
import { getDb } from '../lib/db/client';
import { notFound } from '../lib/errors';
import { requireAdmin } from '../lib/http/auth';
import { jsonBody } from '../lib/http/body';
import { uuidParam } from '../lib/http/fields';
import { httpFunction } from '../lib/http/handler';
import type { HttpRequest } from '../lib/http/request';
import { json } from '../lib/http/response';
import { newOperatorInput, operatorPatchInput, teamSettingsInput } from '../lib/operators/operator-input';
import {
  createOperator,
  endOperatorSessions,
  getOperator,
  listOperators,
  reinvite,
  updateOperator,
} from '../lib/operators/operators';
import { changeTeamSettings, teamSettings } from '../lib/operators/team';

/** The operator `{id}` names (a 404 for an id that is not a UUID). */
function operatorId(req: HttpRequest): string {
  const id = uuidParam().safeParse(req.pathParams.id);
  if (!id.success) throw notFound('No operator with this id');
  return id.data;
}

/** Owners (or the admin key): the console's operators, their invites and sessions, the team's setting. */
export const handler = await httpFunction(
  'operators',
  {
    'POST /operators': audited('operator.invite', 'owner', async (req) => {
      const created = await createOperator(jsonBody(req, newOperatorInput()));
      return { response: json(201, created), objectId: created.id };
    }),
    'GET /operators': async (req) => {
      await requireAdmin(req, 'owner');
      return json(200, { operators: await listOperators(await getDb()) });
    },
    'PATCH /operators/{id}': audited('operator.update', 'owner', async (req) => {
      const id = operatorId(req);
      return { response: json(200, await updateOperator(id, jsonBody(req, operatorPatchInput()))) };
    }),
    'POST /operators/{id}/invite': audited('operator.reinvite', 'owner', async (req) => ({
      response: json(200, await reinvite(operatorId(req))),
    })),
    'POST /operators/{id}/sign-out': audited('operator.sign_out', 'owner', async (req) => {
      const id = operatorId(req);
      const db = await getDb();
      await getOperator(db, id);
      const endedSessions = await endOperatorSessions(db, id);
      return { response: json(200, { endedSessions }), changed: endedSessions > 0 };
    }),
    'GET /team/settings': async (req) => {
      await requireAdmin(req, 'owner');
      return json(200, await teamSettings(await getDb()));
    },
    'PATCH /team/settings': audited('team.update', 'owner', async (req) => ({
      response: json(200, await changeTeamSettings(await getDb(), jsonBody(req, teamSettingsInput()))),
    })),
  },
  [getDb],
);
