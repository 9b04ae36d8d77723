/**
 * The SSM Parameter Store stand-in in a process of its own, for the cold-start bench: the bench
 * times child processes with spawnSync, which blocks its own event loop, so the stand-in cannot
 * answer from there. Started with `fork` and the parameters to hold as argv[2] (JSON, name to
 * value); reports the environment that points an SDK or lib/secrets.ts at it, and dies with its
 * parent.
 */
import { startFakeSsm } from '../emulators/fake-ssm';

const ssm = await startFakeSsm();
for (const [name, value] of Object.entries(JSON.parse(process.argv[2] ?? '{}') as Record<string, string>)) {
  ssm.put(name, value);
}
process.on('message', (m) => {
  if (m === 'calls') process.send?.({ calls: ssm.calls.length });
});
process.on('disconnect', () => {
  void ssm.close().finally(() => process.exit(0));
});
process.send?.({ env: ssm.env() });
