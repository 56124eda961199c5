/**
 * `rampart user add|passwd|delete|list|ban|unban|admin`: operator commands on the store. They
 * open the same SQLite file as the server (WAL lets both work at once); a running server
 * notices bans, deletions and password changes at its next session re-check (sessionRecheckMs).
 */
import { Accounts } from '../auth/accounts.js';
import { LocalBus } from '../bus/local-bus.js';
import { databasePath } from '../app/rampart-server.js';
import type { Config } from '../config/schema.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { readNewPassword } from './password-input.js';

export const USER_USAGE = `rampart user add NAME [--admin] [--password-stdin]
rampart user passwd NAME [--password-stdin]
rampart user delete NAME
rampart user list
rampart user ban NAME | unban NAME
rampart user admin NAME | unadmin NAME`;

export async function userCommand(config: Config, positionals: string[], switches: Set<string>): Promise<number> {
  const [action, name, ...extra] = positionals;
  if (!action || extra.length > 0 || (action !== 'list' && !name)) {
    process.stderr.write(`usage:\n${USER_USAGE}\n`);
    return 2;
  }
  const store = SqliteStore.open(databasePath(config));
  const accounts = new Accounts(store, new LocalBus(), config);
  try {
    switch (action) {
      case 'add': {
        const user = await accounts.addUser(name!, await readNewPassword(switches.has('password-stdin')), switches.has('admin'));
        process.stdout.write(`added ${user.name} (${user.id})${switches.has('admin') ? ' as admin' : ''}\n`);
        return 0;
      }
      case 'passwd':
        await accounts.setPassword(name!, await readNewPassword(switches.has('password-stdin')));
        process.stdout.write(`password of ${name} changed; their sessions ended\n`);
        return 0;
      case 'delete':
        await accounts.deleteUser(name!);
        process.stdout.write(`deleted ${name}\n`);
        return 0;
      case 'ban':
      case 'unban':
        await accounts.setBanned(name!, action === 'ban');
        process.stdout.write(`${action === 'ban' ? 'banned' : 'unbanned'} ${name}\n`);
        return 0;
      case 'admin':
      case 'unadmin':
        await accounts.setAdmin(name!, action === 'admin');
        process.stdout.write(`${name} is ${action === 'admin' ? 'now' : 'no longer'} an admin\n`);
        return 0;
      case 'list': {
        const users = await accounts.listUsers();
        for (const u of users) {
          const flags = [u.admin ? 'admin' : '', u.banned ? 'banned' : ''].filter(Boolean).join(',');
          process.stdout.write(`${u.name}\t${u.id}\t${new Date(u.createdAt).toISOString()}${flags ? `\t${flags}` : ''}\n`);
        }
        return 0;
      }
      default:
        process.stderr.write(`unknown user action: ${action}\nusage:\n${USER_USAGE}\n`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`rampart user ${action}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
