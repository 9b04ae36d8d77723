/**
 * The TextMagic fake in a process of its own, for the throughput bench: the real TextMagic does
 * its work elsewhere, so its fake must not take CPU from the event loop of the handlers measured.
 * Started by bench/throughput.ts with `fork`; reports its address over IPC and dies with its parent.
 */
import { startFakeTextMagic } from '../emulators/fake-textmagic';

const textmagic = await startFakeTextMagic();
process.on('message', (m) => {
  if (m === 'requests') process.send?.({ requests: textmagic.requests });
});
process.on('disconnect', () => {
  void textmagic.close().finally(() => process.exit(0));
});
process.send?.({ url: textmagic.url, username: textmagic.username, apiKey: textmagic.apiKey });
