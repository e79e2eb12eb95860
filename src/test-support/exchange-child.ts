/**
 * A sending node as a child process that dies by SIGKILL at a chosen moment, for the crash tests
 * of the exchange. Arguments (JSON in argv[2]): the node's database, key file and id, the
 * liaison officer's token, the partner and the moment to die:
 * - `after-commit`: the message is committed to the queue, nothing is sent;
 * - `after-send`: the partner has the message and answered, the receipt is not yet recorded.
 */
import { authenticate } from '../app/authenticate.js';
import { sendMessage } from '../app/exchange.js';
import { startExchangeNode } from '../cli/exchange-node.js';
import { openDatabase } from '../storage/database.js';
import { testContext } from './app.js';

interface Args {
  sqlitePath?: string;
  url?: string;
  keyPath: string;
  nodeId: string;
  publicUrl: string;
  token: string;
  to: string;
  die: 'after-commit' | 'after-send';
}

const args = JSON.parse(process.argv[2]!) as Args;
const db = await openDatabase(args.url ? { url: args.url } : { sqlitePath: args.sqlitePath! });
const ctx = testContext(db);
const node = await startExchangeNode(ctx, {
  nodeId: args.nodeId,
  keyPath: args.keyPath,
  publicUrl: args.publicUrl,
  startSender: false,
});
const kill = () => process.kill(process.pid, 'SIGKILL');
if (args.die === 'after-send') {
  const http = node.runtime.transports.http!;
  node.runtime.transports.http = {
    binding: 'http',
    async deliver(to, id, jws) {
      const receipt = await http.deliver(to, id, jws);
      process.stdout.write(`delivered ${id}\n`);
      kill();
      return receipt;
    },
  };
}
const liaison = await authenticate(ctx, args.token);
const [m] = await sendMessage(ctx, liaison, {
  to: [args.to],
  type: 'alert',
  sharing: 'shareable',
  body: {
    priorityArea: 'waste-and-scrap-metal',
    summary: `Crash test (${args.die})`,
    details: 'Scrap metal with radioactive contamination detected at the border portal.',
    goods: [{ hsCode: '7204', description: 'ferrous scrap' }],
    routes: [],
    conveyances: [],
  },
});
process.stdout.write(`queued ${m!.id}\n`);
if (args.die === 'after-commit') kill();
node.sender.start();
